import { rotationJobName } from "./names.ts";
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import type { V1Job } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Credentials } from "./context.ts";
import {
  applySecretChange,
  credentialsRevision,
  newRotation,
  planRotation,
  scramVerifier,
  type RotationInputs,
} from "./credentials-rotation.ts";

const current: Credentials = {
  postgresPassword: "pg-old",
  redisPassword: "redis-old",
  sessionSecret: "session",
  adminPassword: "admin",
};

let counter = 0;
const bytes = (n: number) => Buffer.alloc(n, ++counter);

function inputs(overrides: Partial<RotationInputs> = {}): RotationInputs {
  return {
    requested: "r1",
    credentials: current,
    blocker: undefined,
    prepareJob: undefined,
    finishJob: undefined,
    jobFailure: undefined,
    appRolledOut: false,
    ...overrides,
  };
}

function job(condition: "Complete" | "Failed" | undefined): V1Job {
  return {
    metadata: { name: "acme-rotate-abc123-x" },
    status: condition ? { conditions: [{ type: condition, status: "True" }] } : {},
  };
}

const preparing: Credentials = { ...current, rotation: newRotation("r1", bytes) };
const switching = applySecretChange(
  preparing,
  "switch",
  () => newRotation("x", bytes),
  new Date(0),
);

describe("planRotation", () => {
  it("does nothing without a request, or for the request already done", () => {
    expect(planRotation(inputs({ requested: undefined }))).toEqual({});
    expect(planRotation(inputs({ requested: "" }))).toEqual({});
    const done = { ...current, rotated: { request: "r1", at: "2026-12-06T00:00:00Z" } };
    expect(planRotation(inputs({ credentials: done }))).toEqual({});
  });

  it("waits, saying why, while something else is in flight", () => {
    const plan = planRotation(inputs({ blocker: "waiting for the PostgreSQL upgrade to finish" }));
    expect(plan.change).toBeUndefined();
    expect(plan.progress).toEqual({
      request: "r1",
      phase: "Waiting",
      message: "waiting for the PostgreSQL upgrade to finish",
    });
  });

  it("starts a new request: new passwords into the Secret, and the prepare Job", () => {
    const plan = planRotation(
      inputs({ requested: "r2", credentials: { ...current, rotated: { request: "r1", at: "" } } }),
    );
    expect(plan).toMatchObject({
      change: "start",
      job: "prepare",
      progress: { phase: "Preparing" },
    });
    expect(plan.event?.reason).toBe("CredentialsRotationStarted");
  });

  it("switches the Secret only once Redis took the new password", () => {
    expect(
      planRotation(inputs({ credentials: preparing, prepareJob: job(undefined) })),
    ).toMatchObject({
      job: "prepare",
      progress: { phase: "Preparing" },
    });
    expect(
      planRotation(inputs({ credentials: preparing, prepareJob: job("Complete") })),
    ).toMatchObject({
      change: "switch",
      progress: { phase: "RollingOut" },
    });
  });

  it("finishes an in-flight rotation even if the annotation changed meanwhile", () => {
    const plan = planRotation(
      inputs({ requested: "r9", credentials: preparing, prepareJob: job("Complete") }),
    );
    expect(plan.change).toBe("switch");
    expect(plan.progress?.request).toBe("r1");
  });

  it("retires the old passwords only after every app pod runs the new ones", () => {
    expect(planRotation(inputs({ credentials: switching, appRolledOut: false }))).toEqual({
      progress: {
        request: "r1",
        phase: "RollingOut",
        message: "rolling the app onto the new passwords",
      },
    });
    expect(planRotation(inputs({ credentials: switching, appRolledOut: true }))).toMatchObject({
      job: "finish",
      progress: { phase: "Finishing" },
    });
    const done = planRotation(
      inputs({ credentials: switching, appRolledOut: true, finishJob: job("Complete") }),
    );
    expect(done).toMatchObject({ change: "complete", event: { reason: "CredentialsRotated" } });
    expect(done.job).toBeUndefined();
  });

  it("reports a failed step with what its Job said, and keeps the Job for a retry on delete", () => {
    const plan = planRotation(
      inputs({
        credentials: switching,
        appRolledOut: true,
        finishJob: job("Failed"),
        jobFailure: "postgres: PostgreSQL accepts neither the old nor the new password",
      }),
    );
    expect(plan.change).toBeUndefined();
    expect(plan.job).toBe("finish");
    expect(plan.progress?.phase).toBe("Failed");
    expect(plan.progress?.message).toContain(
      "acme-rotate-abc123-x failed: postgres: PostgreSQL accepts neither",
    );
    expect(plan.progress?.message).toContain("delete the Job");
  });
});

describe("applySecretChange", () => {
  it("moves the new passwords to current and keeps the old as previous, then forgets them", () => {
    expect(switching.postgresPassword).toBe(preparing.rotation?.postgresPassword);
    expect(switching.redisPassword).toBe(preparing.rotation?.redisPassword);
    expect(switching.rotation).toMatchObject({
      stage: "switching",
      postgresPassword: "pg-old",
      redisPassword: "redis-old",
      postgresVerifier: preparing.rotation?.postgresVerifier,
    });
    const done = applySecretChange(
      switching,
      "complete",
      () => newRotation("x", bytes),
      new Date("2026-12-06T12:00:00Z"),
    );
    expect(done.rotation).toBeUndefined();
    expect(done.rotated).toEqual({ request: "r1", at: "2026-12-06T12:00:00.000Z" });
    expect(done.postgresPassword).toBe(switching.postgresPassword);
  });

  it("rolls the app once per rotation: the pods' revision changes at the switch only", () => {
    expect(credentialsRevision(current)).toBeUndefined();
    expect(credentialsRevision(preparing)).toBeUndefined();
    expect(credentialsRevision(switching)).toBe("r1");
    const done = applySecretChange(
      switching,
      "complete",
      () => newRotation("x", bytes),
      new Date(0),
    );
    expect(credentialsRevision(done)).toBe("r1");
  });
});

describe("scramVerifier", () => {
  it("builds PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802 keys from PBKDF2)", () => {
    const salt = Buffer.from("0123456789abcdef");
    const verifier = scramVerifier("pencil", salt, 4096);
    const match = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(verifier);
    expect(match?.[1]).toBe(salt.toString("base64"));
    // Recomputed independently: StoredKey = H(HMAC(SaltedPassword, "Client Key")).
    const salted = pbkdf2Sync("pencil", salt, 4096, 32, "sha256");
    const storedKey = createHash("sha256")
      .update(createHmac("sha256", salted).update("Client Key").digest())
      .digest("base64");
    expect(match?.[2]).toBe(storedKey);
    expect(scramVerifier("pencil", Buffer.from("another salt 16b"))).not.toBe(verifier);
  });
});

describe("rotationJobName", () => {
  it("differs per request and step, and fits a Job name for the longest tenant name", () => {
    const tenant = "a".repeat(40);
    const names = [
      rotationJobName(tenant, "r1", "prepare"),
      rotationJobName(tenant, "r1", "finish"),
      rotationJobName(tenant, "r2", "prepare"),
    ];
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(63);
  });
});
