import { randomBytes } from "node:crypto";
import type { V1Secret } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { credentialKeys, type Credentials } from "../../context.ts";
import {
  applySecretChange,
  newRotation,
  rotationSecretAnnotations,
} from "../../credentials-rotation.ts";
import { childLabels } from "../../names.ts";
import {
  buildCredentialsSecret,
  generateCredentials,
  readStoredCredentials,
} from "./credentials.ts";

/** A deterministic random source: each call continues a byte counter, so no two calls agree. */
function countingBytes(): { source: (n: number) => Buffer; sizes: number[] } {
  let next = 0;
  const sizes: number[] = [];
  const source = (n: number): Buffer => {
    sizes.push(n);
    return Buffer.from(Array.from({ length: n }, () => next++ % 256));
  };
  return { source, sizes };
}

function decoded(secret: V1Secret): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );
}

const awkward: Credentials = {
  postgresPassword: "p@ss/w:rd?#%",
  redisPassword: "r@dis:pa ss",
  sessionSecret: "session-secret",
  adminPassword: "admin-password",
};

describe("generateCredentials", () => {
  it("draws 32 bytes per password, 48 for the session secret and 18 for the admin", () => {
    const random = countingBytes();
    const credentials = generateCredentials(random.source);

    expect([...random.sizes].sort((a, b) => a - b)).toEqual([18, 32, 32, 48]);
    expect(credentials.postgresPassword).toHaveLength(43);
    expect(credentials.redisPassword).toHaveLength(43);
    expect(credentials.sessionSecret).toHaveLength(64);
    expect(credentials.adminPassword).toHaveLength(24);
  });

  it("generates distinct credentials from the random source", () => {
    const credentials = generateCredentials(countingBytes().source);

    expect(new Set(Object.values(credentials)).size).toBe(4);
  });

  it("uses only URL-safe characters, so every value is easy to type and to put in a URL", () => {
    const credentials = generateCredentials(randomBytes);

    for (const value of Object.values(credentials)) expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe("buildCredentialsSecret", () => {
  const tracker = aTracker();
  const secret = buildCredentialsSecret(tracker, awkward);

  it("is the tenant's Opaque credentials Secret, labelled but owned by nobody garbage collection follows", () => {
    expect(secret.apiVersion).toBe("v1");
    expect(secret.kind).toBe("Secret");
    expect(secret.type).toBe("Opaque");
    expect(secret.metadata?.name).toBe("acme-credentials");
    expect(secret.metadata?.namespace).toBe("tenant-acme");
    expect(secret.metadata?.labels).toEqual(childLabels("acme", "app"));
    expect(secret.metadata?.ownerReferences).toBeUndefined();
  });

  it("writes every key the app reads, base64-encoded in data and never as stringData", () => {
    expect(secret.stringData).toBeUndefined();
    const rotationOnly: string[] = [
      credentialKeys.postgresPasswordNext,
      credentialKeys.redisPasswordNext,
      credentialKeys.postgresPasswordPrevious,
      credentialKeys.redisPasswordPrevious,
      credentialKeys.postgresPasswordVerifier,
    ];
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(
      Object.values(credentialKeys)
        .filter((key) => !rotationOnly.includes(key))
        .sort(),
    );
    expect(secret.data?.[credentialKeys.postgresPassword]).toBe(
      Buffer.from(awkward.postgresPassword).toString("base64"),
    );
  });

  it("names the database role and database the app uses", () => {
    const values = decoded(secret);

    expect(values[credentialKeys.postgresUser]).toBe("fintrack");
    expect(values[credentialKeys.postgresDatabase]).toBe("fintrack");
  });

  it("points the database URL at the tenant's PostgreSQL Service, with the password URL-encoded", () => {
    const url = new URL(decoded(secret)[credentialKeys.databaseUrl] ?? "");

    expect(url.protocol).toBe("postgres:");
    expect(url.username).toBe("fintrack");
    expect(decodeURIComponent(url.password)).toBe(awkward.postgresPassword);
    expect(url.hostname).toBe("acme-postgres");
    expect(url.port).toBe("5432");
    expect(url.pathname).toBe("/fintrack");
  });

  it("points the Redis URL at the tenant's Redis Service, with the password URL-encoded", () => {
    const url = new URL(decoded(secret)[credentialKeys.redisUrl] ?? "");

    expect(url.protocol).toBe("redis:");
    expect(url.username).toBe("");
    expect(decodeURIComponent(url.password)).toBe(awkward.redisPassword);
    expect(url.hostname).toBe("acme-redis");
    expect(url.port).toBe("6379");
  });

  it("carries the admin e-mail from the spec", () => {
    const custom = buildCredentialsSecret(
      aTracker({ spec: { app: { adminEmail: "boss@example.org" } } }),
      awkward,
    );

    expect(decoded(custom)[credentialKeys.adminEmail]).toBe("boss@example.org");
  });
});

describe("readStoredCredentials", () => {
  it("reads back the credentials it wrote", () => {
    const generated = generateCredentials(randomBytes);

    expect(readStoredCredentials(buildCredentialsSecret(aTracker(), generated))).toEqual(generated);
    expect(readStoredCredentials(buildCredentialsSecret(aTracker(), awkward))).toEqual(awkward);
  });

  it("reads nothing when the Secret does not exist yet, and no value from an empty one", () => {
    expect(readStoredCredentials(undefined)).toBeUndefined();
    expect(readStoredCredentials({ apiVersion: "v1", kind: "Secret" })).toEqual({});
  });

  it.each([
    [credentialKeys.postgresPassword, "postgresPassword"],
    [credentialKeys.redisPassword, "redisPassword"],
    [credentialKeys.sessionSecret, "sessionSecret"],
    [credentialKeys.adminPassword, "adminPassword"],
  ] as const)("leaves out %s when it is missing or empty, keeping the others", (key, field) => {
    const secret = buildCredentialsSecret(aTracker(), awkward);
    const others = Object.entries(secret.data ?? {}).filter(([k]) => k !== key);
    const kept = Object.fromEntries(Object.entries(awkward).filter(([k]) => k !== field));

    secret.data = Object.fromEntries(others);
    expect(readStoredCredentials(secret)).toEqual(kept);
    secret.data = Object.fromEntries([...others, [key, ""]]);
    expect(readStoredCredentials(secret)).toEqual(kept);
  });

  it("needs only the four generated values, not the keys derived from them", () => {
    const data = decoded(buildCredentialsSecret(aTracker(), awkward));
    const passwordsOnly = Object.fromEntries(
      [
        credentialKeys.postgresPassword,
        credentialKeys.redisPassword,
        credentialKeys.sessionSecret,
        credentialKeys.adminPassword,
      ].map((key) => [key, Buffer.from(data[key] ?? "").toString("base64")]),
    );

    expect(readStoredCredentials({ data: passwordsOnly })).toEqual(awkward);
  });
});

describe("a rotation in the Secret", () => {
  const tracker = aTracker();
  const rotation = newRotation("2026-12-06", countingBytes().source);

  it("keeps the new passwords beside the current ones while preparing, and reads them back", () => {
    const secret = buildCredentialsSecret(tracker, { ...awkward, rotation });
    const values = decoded(secret);

    expect(values[credentialKeys.postgresPassword]).toBe(awkward.postgresPassword);
    expect(values[credentialKeys.postgresPasswordNext]).toBe(rotation.postgresPassword);
    expect(values[credentialKeys.redisPasswordNext]).toBe(rotation.redisPassword);
    expect(values[credentialKeys.postgresPasswordPrevious]).toBeUndefined();
    expect(secret.metadata?.annotations).toEqual({
      [rotationSecretAnnotations.request]: "2026-12-06",
    });
    expect(readStoredCredentials(secret)).toEqual({ ...awkward, rotation });
  });

  it("keeps the old passwords as previous once switched; the URLs carry the new ones", () => {
    const switched = applySecretChange(
      { ...awkward, rotation },
      "switch",
      () => rotation,
      new Date(0),
    );
    const secret = buildCredentialsSecret(tracker, switched);
    const values = decoded(secret);

    expect(values[credentialKeys.postgresPassword]).toBe(rotation.postgresPassword);
    expect(values[credentialKeys.databaseUrl]).toContain(`:${rotation.postgresPassword}@`);
    expect(values[credentialKeys.redisUrl]).toContain(`:${rotation.redisPassword}@`);
    expect(values[credentialKeys.postgresPasswordPrevious]).toBe(awkward.postgresPassword);
    expect(values[credentialKeys.redisPasswordPrevious]).toBe(awkward.redisPassword);
    expect(values[credentialKeys.postgresPasswordNext]).toBeUndefined();
    expect(readStoredCredentials(secret)).toEqual(switched);
  });

  it("records the finished request and when, and drops every rotation value", () => {
    const done = applySecretChange(
      { ...awkward, rotation: { ...rotation, stage: "switching" } },
      "complete",
      () => rotation,
      new Date("2026-12-06T10:00:00Z"),
    );
    const secret = buildCredentialsSecret(tracker, done);

    expect(Object.keys(secret.data ?? {})).not.toContain(credentialKeys.postgresPasswordPrevious);
    expect(Object.keys(secret.data ?? {})).not.toContain(credentialKeys.postgresPasswordVerifier);
    expect(secret.metadata?.annotations).toEqual({
      [rotationSecretAnnotations.rotated]: "2026-12-06",
      [rotationSecretAnnotations.rotatedAt]: "2026-12-06T10:00:00.000Z",
    });
    expect(readStoredCredentials(secret)).toEqual(done);
  });
});
