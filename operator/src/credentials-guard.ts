import { createHash } from "node:crypto";
import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { reasons, type Reason } from "./conditions.ts";
import type { Credentials } from "./context.ts";

/**
 * PostgreSQL reads its password once, at initdb, and the owner's password lives in the app's
 * users table: both are bound to the data volume for good. So the data claim carries a
 * fingerprint of the PostgreSQL password it was initialised with, and no credentials go out
 * that disagree with it. A fingerprint, not the password: anyone who may read claims sees it.
 */
export const credentialsFingerprintAnnotation = "fintrack.dev/credentials-fingerprint";

/** Writes the fingerprint annotation, apart from the operator's apply of the claim's size. */
export const credentialsFieldManager = "fintrack-operator-credentials";

/** A short one-way digest of the PostgreSQL password (32 random bytes: not guessable from it). */
export function credentialsFingerprint(postgresPassword: string): string {
  return createHash("sha256")
    .update(`fintrack-postgres-password:${postgresPassword}`)
    .digest("hex")
    .slice(0, 16);
}

/** The credentials a tenant's data claim can be opened with, or why there are none. */
export type CredentialsVerdict =
  | { ok: true; credentials: Credentials; fingerprint: string; annotateClaim: boolean }
  | { ok: false; reason: Reason; message: string };

/**
 * Decides which credentials go out, given what the Secret holds now and the data claim:
 * - no claim yet: the stored values, with any missing one generated (a new tenant);
 * - a claim: the stored PostgreSQL and owner passwords, never new ones, and only if the
 *   PostgreSQL password matches the claim's fingerprint. A claim without one (made before
 *   fingerprints, or before its first check) adopts the Secret's.
 * Values not bound to data (Redis password, session secret) are regenerated when missing.
 */
export function judgeCredentials(input: {
  stored: Partial<Credentials> | undefined;
  generated: Credentials;
  claim: V1PersistentVolumeClaim | undefined;
  secretName: string;
}): CredentialsVerdict {
  const { stored, generated, claim, secretName } = input;
  const credentials: Credentials = { ...generated, ...stored };
  const fingerprint = credentialsFingerprint(credentials.postgresPassword);
  if (!claim) return { ok: true, credentials, fingerprint, annotateClaim: false };

  const claimName = claim.metadata?.name ?? "the data claim";
  const lost = (["postgresPassword", "adminPassword"] as const).filter((k) => !stored?.[k]);
  if (lost.length > 0) {
    const what = stored ? `lacks ${lost.join(" and ")}` : "is missing";
    return {
      ok: false,
      reason: reasons.credentialsMissing,
      message: `Secret ${secretName} ${what}, but PersistentVolumeClaim ${claimName} holds data initialised with the original passwords; new ones could never open it. Put the Secret back (from your records, or the copy a backup restore used); nothing else changes until then`,
    };
  }
  const recorded = claim.metadata?.annotations?.[credentialsFingerprintAnnotation];
  if (recorded === undefined) return { ok: true, credentials, fingerprint, annotateClaim: true };
  // Mid-rotation the data may still hold the password being replaced (until the last step).
  const replaced =
    credentials.rotation?.stage === "switching"
      ? credentialsFingerprint(credentials.rotation.postgresPassword)
      : undefined;
  if (recorded === replaced) {
    return { ok: true, credentials, fingerprint: replaced, annotateClaim: false };
  }
  if (recorded !== fingerprint) {
    return {
      ok: false,
      reason: reasons.credentialsMismatch,
      message: `the PostgreSQL password in Secret ${secretName} is not the one PersistentVolumeClaim ${claimName} was initialised with (fingerprint ${fingerprint}, the data's ${recorded}): the Secret was edited or replaced. Put the original value back; pods started meanwhile cannot reach the database`,
    };
  }
  return { ok: true, credentials, fingerprint, annotateClaim: false };
}
