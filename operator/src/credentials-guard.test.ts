import { randomBytes } from "node:crypto";
import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  credentialsFingerprint,
  credentialsFingerprintAnnotation,
  judgeCredentials,
} from "./credentials-guard.ts";
import { generateCredentials } from "./resources/secret/credentials.ts";

const original = generateCredentials(randomBytes);
const generated = generateCredentials(randomBytes);
const claim = (fingerprint?: string): V1PersistentVolumeClaim => ({
  metadata: {
    name: "data-acme-postgres-0",
    ...(fingerprint ? { annotations: { [credentialsFingerprintAnnotation]: fingerprint } } : {}),
  },
});
const judge = (
  stored: Parameters<typeof judgeCredentials>[0]["stored"],
  c?: V1PersistentVolumeClaim,
) => judgeCredentials({ stored, generated, claim: c, secretName: "acme-credentials" });

describe("credentialsFingerprint", () => {
  it("is short, stable, and tells passwords apart without revealing them", () => {
    const a = credentialsFingerprint(original.postgresPassword);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(credentialsFingerprint(original.postgresPassword)).toBe(a);
    expect(credentialsFingerprint(generated.postgresPassword)).not.toBe(a);
    expect(a).not.toContain(original.postgresPassword.slice(0, 8));
  });
});

describe("judgeCredentials", () => {
  it("generates every credential of a new tenant, which has no data yet", () => {
    const verdict = judge(undefined);
    expect(verdict).toMatchObject({ ok: true, credentials: generated, annotateClaim: false });
  });

  it("never generates a PostgreSQL or owner password while a data claim exists", () => {
    const missing = judge(undefined, claim());
    expect(missing).toMatchObject({ ok: false, reason: "CredentialsMissing" });
    expect(!missing.ok && missing.message).toMatch(
      /Secret acme-credentials is missing, but PersistentVolumeClaim data-acme-postgres-0 holds data/,
    );

    const withoutPostgres = { ...original, postgresPassword: undefined };
    expect(judge(withoutPostgres, claim())).toMatchObject({
      ok: false,
      reason: "CredentialsMissing",
      message: expect.stringMatching(/lacks postgresPassword/) as unknown,
    });
    const withoutOwner = { ...original, adminPassword: undefined };
    expect(judge(withoutOwner, claim())).toMatchObject({ ok: false, reason: "CredentialsMissing" });
  });

  it("regenerates values not bound to the data, keeping the database and owner passwords", () => {
    const bound = {
      postgresPassword: original.postgresPassword,
      adminPassword: original.adminPassword,
    };
    const verdict = judge(bound, claim(credentialsFingerprint(original.postgresPassword)));
    expect(verdict).toMatchObject({
      ok: true,
      credentials: {
        postgresPassword: original.postgresPassword,
        adminPassword: original.adminPassword,
        sessionSecret: generated.sessionSecret,
        redisPassword: generated.redisPassword,
      },
    });
  });

  it("adopts the Secret's fingerprint for a claim that has none, and accepts a match", () => {
    expect(judge(original, claim())).toMatchObject({ ok: true, annotateClaim: true });
    expect(judge(original, claim(credentialsFingerprint(original.postgresPassword)))).toMatchObject(
      { ok: true, credentials: original, annotateClaim: false },
    );
  });

  it("refuses a PostgreSQL password that is not the one the data was initialised with", () => {
    const verdict = judge(original, claim(credentialsFingerprint(generated.postgresPassword)));
    expect(verdict).toMatchObject({ ok: false, reason: "CredentialsMismatch" });
    expect(!verdict.ok && verdict.message).toContain(
      `the data's ${credentialsFingerprint(generated.postgresPassword)}`,
    );
    expect(!verdict.ok && verdict.message).not.toContain(original.postgresPassword);
  });
});
