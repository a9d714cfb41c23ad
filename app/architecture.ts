import type { ESLint, Linter } from "eslint";
import boundaries from "eslint-plugin-boundaries";

// The package is CommonJS whose module.exports is the plugin itself, while its types declare an
// ES default export; Node's default import yields module.exports, so this is the plugin.
const boundariesPlugin = boundaries as unknown as ESLint.Plugin;

/**
 * The app's layers and what each may import: the map README's "Architecture" section draws.
 * Each layer lists only layers above it in this table, so the folder graph has no loops
 * (architecture.test.ts checks the order); no route folder is allowed another route folder (a
 * route's own files are one element, so they import each other freely).
 */
export const appLayers: Readonly<Record<string, readonly string[]>> = {
  // errors.ts, config.ts, in-flight.ts, health.ts: leaves every layer uses.
  shared: [],
  // Pure rules of money, dates, budgets, schedules, rules, splits and attachments: no I/O.
  domain: ["shared"],
  // app/src/imports: the bank file parsers (CSV, OFX, QIF, MT940, CAMT.053), no I/O.
  "bank-files": ["domain", "shared"],
  // The pool, migrations and transactions.
  db: ["shared"],
  // Identity: principals, passwords, sessions, tokens, throttles, second factors.
  auth: ["db", "domain", "shared"],
  // route(), the OpenAPI document, the API's shared schemas, idempotency and preconditions.
  http: ["auth", "db", "domain", "shared"],
  // Reads that cross resources: sums in the base currency, the budget report.
  "read-model": ["http", "db", "domain", "shared"],
  // Writes that cross resources: audit, rules on write, recurring occurrences, import cleanup.
  "write-model": ["read-model", "http", "db", "domain", "shared"],
  // app/src/routes/<resource>: one folder a resource, its router, schema and service.
  route: ["write-model", "read-model", "http", "auth", "db", "domain", "bank-files", "shared"],
  backup: ["db", "shared"],
  demo: ["auth", "db", "domain", "shared"],
  "static-files": ["shared"],
  // api.ts, app.ts, server.ts, main.ts, background-jobs.ts: what builds the app from the layers.
  composition: [
    "route",
    "write-model",
    "read-model",
    "http",
    "auth",
    "db",
    "domain",
    "bank-files",
    "backup",
    "demo",
    "static-files",
    "shared",
    "composition",
  ],
};

/** The ESLint config block that enforces appLayers on the app's code (not on its tests). */
export const appBoundaries: Linter.Config = {
  files: ["app/src/**/*.ts"],
  // Tests may reach across layers to set a scene up.
  ignores: ["**/*.test.ts"],
  plugins: { boundaries: boundariesPlugin },
  settings: {
    "import/resolver": { node: { extensions: [".ts"] } },
    "boundaries/elements": [
      // Single files: v7 deprecates `mode: "file"` but has no replacement for an element that
      // is one file, hence legacy-warnings off below.
      { type: "shared", mode: "file", pattern: "app/src/{errors,config,in-flight,health}.ts" },
      {
        type: "composition",
        mode: "file",
        pattern: "app/src/{api,api-document,app,server,main,background-jobs}.ts",
      },
      { type: "domain", pattern: "app/src/domain" },
      { type: "bank-files", pattern: "app/src/imports" },
      { type: "db", pattern: "app/src/db" },
      { type: "auth", pattern: "app/src/auth" },
      { type: "http", pattern: "app/src/http" },
      { type: "read-model", pattern: "app/src/read-model" },
      { type: "write-model", pattern: "app/src/write-model" },
      { type: "route", pattern: "app/src/routes/*", capture: ["resource"] },
      { type: "backup", pattern: "app/src/backup" },
      { type: "demo", pattern: "app/src/demo" },
      { type: "static-files", pattern: "app/src/static-files" },
    ],
    "boundaries/legacy-warnings": false,
  },
  rules: {
    "boundaries/dependencies": [
      "error",
      {
        default: "disallow",
        // A new file outside every layer is refused too, until it is placed in one.
        checkUnknownLocals: true,
        policies: Object.entries(appLayers).map(([layer, allowed]) => ({
          from: { element: { type: layer } },
          allow: { to: { element: { types: { anyOf: allowed } } } },
        })),
      },
    ],
  },
};
