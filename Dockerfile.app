# The fintrack app image. Build from the repository root (`make docker-build` does this):
#   docker build -f Dockerfile.app --build-arg VERSION=0.1.0 -t fintrack/app:0.1.0 .
# Node.js is pinned to the version in .nvmrc and hack/versions.env; change all three together.
#
# The image ships the app's TypeScript sources and runs them with Node 24's built-in type
# stripping, so `npm run migrate` and `npm start` run the very same files in the image as in
# development; only the browser UI is bundled, in its own stage. `npm run typecheck` in CI is
# what checks the types.
ARG NODE_VERSION=24.21.0

# Stage 1: the app's production dependencies only (no TypeScript, test tools, demo database or
# operator packages). Install scripts stay off: every native module we use (argon2) ships its
# binary in a per-platform package.
FROM node:${NODE_VERSION}-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY app/package.json app/
COPY operator/package.json operator/
RUN npm ci --omit=dev --workspace app --include-workspace-root=false --ignore-scripts \
      --no-audit --no-fund

# Stage 2: the browser UI, built with the app's dev dependencies (Vite, Preact, uPlot); only its
# static output (app/dist/web) reaches the runtime image.
FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
COPY app/package.json app/
COPY operator/package.json operator/
RUN npm ci --workspace app --include-workspace-root --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY app/vite.config.ts app/
COPY app/web app/web
# The server modules the bundle takes in: the import preview reads dates and amounts with the
# server's own reader (app/web/src/lib/import-preview.ts), and sign-up picks the starter
# categories' language from the server's list (app/web/src/screens/auth.tsx; its one import is
# of types, which the build drops).
COPY app/src/imports/values.ts app/src/imports/
COPY app/src/domain/default-categories.ts app/src/domain/
RUN npm run build:web

# Stage 3: the runtime. Sources and production node_modules only; no npm cache, no tests.
FROM node:${NODE_VERSION}-bookworm-slim
ARG VERSION=dev
ARG SOURCE=https://github.com/fintrack/fintrack
LABEL org.opencontainers.image.title="fintrack-app" \
      org.opencontainers.image.description="Self-hosted personal finance tracker: REST API and web UI for one tenant" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
ENV NODE_ENV=production \
    # V8 sized for a tenant's pod (512Mi limit by default), not for the node's memory: a capped
    # old generation makes it collect the garbage of a million-row import as it goes instead of
    # letting the heap swell. The young one has 8 MB semi-spaces: at 4 MB, parsing a bank file
    # spent a third of its time collecting; at 16 MB a million-row import peaked over 300 MB.
    # npm run bench:import runs the app with these.
    NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=256" \
    # The root filesystem is read-only in the cluster: npm may only write under /tmp.
    npm_config_cache=/tmp/.npm \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    PORT=8080 \
    METRICS_PORT=9090
WORKDIR /app
# The whole install: hoisted node_modules, plus any a workspace keeps for itself.
COPY --from=dependencies /app /app
COPY app/src app/src
COPY --from=web /app/app/dist/web app/dist/web
# Tests stay out of the image.
RUN find app/src -name '*.test.ts' -delete
# The numeric user matches the Deployment's runAsUser, so runAsNonRoot can verify it.
USER 10001:10001
# 8080: the app and its API; 9090: /metrics.
EXPOSE 8080 9090
# `npm run migrate` (the operator's init container) runs from here too.
CMD ["node", "app/src/main.ts"]
