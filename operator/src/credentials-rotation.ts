import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import type { V1Job } from "@kubernetes/client-node";
import type { Credentials, CredentialsRotation } from "./context.ts";
import { jobOutcome } from "./postgres-upgrade.ts";

/**
 * Credentials rotation on request. PostgreSQL holds one password per role and Redis several, so
 * the steps are ordered for zero failed requests:
 * 1. Preparing: new passwords are generated and stored in the Secret beside the current ones;
 *    a Job adds the new Redis password (Redis then accepts both).
 * 2. RollingOut: the Secret's current values become the new ones, the old ones kept as
 *    `*-previous`; the app rolls. Its new pods use the new Redis password, and try the new
 *    PostgreSQL password first and the previous one when PostgreSQL refuses it.
 * 3. Finishing: once no pod runs the old values, a Job sets the new PostgreSQL password (as a
 *    SCRAM verifier: the plain password never reaches the server) and removes Redis' old one.
 * 4. The data claim's fingerprint moves to the new password, then the previous values leave
 *    the Secret, which records the request as done.
 * The Secret carries every step, so an operator restart resumes where the last one stopped.
 */

/** On the FinanceTracker: a new value (a timestamp, a ticket number) asks for a rotation. */
export const rotateCredentialsAnnotation = "fintrack.dev/rotate-credentials";

/** On the credentials Secret: the request in progress, and the last one done (and when). */
export const rotationSecretAnnotations = {
  request: "fintrack.dev/rotation-request",
  rotated: "fintrack.dev/rotated-request",
  rotatedAt: "fintrack.dev/rotated-at",
} as const;

/** On the app's pod template: which rotation its pods' credentials come from. */
export const credentialsRevisionAnnotation = "fintrack.dev/credentials-rotation";

export type RotationJobStep = "prepare" | "finish";

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 7677, PostgreSQL's format
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`). Setting it instead of the
 * password keeps the plain text out of the server's statement logs. Our passwords are ASCII, for
 * which SASLprep changes nothing.
 */
export function scramVerifier(password: string, salt: Buffer, iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${String(iterations)}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** New passwords for a rotation, from a source of random bytes (as generateCredentials). */
export function newRotation(
  request: string,
  randomBytes: (n: number) => Buffer,
): CredentialsRotation {
  const postgresPassword = randomBytes(32).toString("base64url");
  return {
    request,
    stage: "preparing",
    postgresPassword,
    redisPassword: randomBytes(32).toString("base64url"),
    postgresVerifier: scramVerifier(postgresPassword, randomBytes(16)),
  };
}

export type RotationPhase = "Waiting" | "Preparing" | "RollingOut" | "Finishing" | "Failed";

export interface RotationInputs {
  /** The FinanceTracker's rotate-credentials annotation. */
  requested: string | undefined;
  credentials: Credentials;
  /** Why a rotation may not start now (an upgrade, a restore, a component not ready). */
  blocker: string | undefined;
  /** This rotation's Jobs, when they exist. */
  prepareJob: V1Job | undefined;
  finishJob: V1Job | undefined;
  /** What the failed Job's container said, when one failed. */
  jobFailure: string | undefined;
  /** Every app pod runs the rotation's credentials, and the rollout is complete. */
  appRolledOut: boolean;
}

/** What to change in the Secret now; the rest of the plan follows from the Secret. */
export type SecretChange = "start" | "switch" | "complete";

export interface RotationPlan {
  /** The rotation's state for status; undefined when none is asked for or in progress. */
  progress?: { request: string; phase: RotationPhase; message: string };
  change?: SecretChange;
  /** The Job this step wants to exist. */
  job?: RotationJobStep;
  /** An Event worth recording for this step. */
  event?: { reason: string; message: string };
}

/** The rotation's next step. Pure; each branch names one thing to do and the state it leads to. */
export function planRotation(inputs: RotationInputs): RotationPlan {
  const { requested, credentials, blocker } = inputs;
  const rotation = credentials.rotation;
  if (!rotation) {
    if (!requested || requested === credentials.rotated?.request) return {};
    if (blocker) {
      return { progress: { request: requested, phase: "Waiting", message: blocker } };
    }
    return {
      change: "start",
      job: "prepare",
      progress: {
        request: requested,
        phase: "Preparing",
        message: "new passwords generated; adding the new Redis password",
      },
      event: {
        reason: "CredentialsRotationStarted",
        message: `rotating the PostgreSQL and Redis passwords (request ${requested})`,
      },
    };
  }
  const { request } = rotation;
  if (rotation.stage === "preparing") {
    const outcome = inputs.prepareJob ? jobOutcome(inputs.prepareJob) : "running";
    if (outcome === "failed") return failed(inputs, "prepare");
    if (outcome === "running") {
      return {
        job: "prepare",
        progress: { request, phase: "Preparing", message: "adding the new Redis password" },
      };
    }
    return {
      change: "switch",
      progress: {
        request,
        phase: "RollingOut",
        message: "the Secret holds the new passwords; rolling the app onto them",
      },
    };
  }
  if (!inputs.appRolledOut) {
    return {
      progress: {
        request,
        phase: "RollingOut",
        message: "rolling the app onto the new passwords",
      },
    };
  }
  const outcome = inputs.finishJob ? jobOutcome(inputs.finishJob) : "running";
  if (outcome === "failed") return failed(inputs, "finish");
  if (outcome === "running") {
    return {
      job: "finish",
      progress: {
        request,
        phase: "Finishing",
        message: "every app pod runs the new passwords; retiring the old ones",
      },
    };
  }
  return {
    change: "complete",
    event: {
      reason: "CredentialsRotated",
      message: `the PostgreSQL and Redis passwords were rotated (request ${request}); the old ones no longer open anything`,
    },
  };
}

/** What a failed step leaves working, so nobody fears an outage that is not there. */
const stillWorking: Record<RotationJobStep, string> = {
  prepare: "The old passwords are still the ones in use",
  finish: "The app opens PostgreSQL with either password and Redis accepts the new one",
};

function failed(inputs: RotationInputs, step: RotationJobStep): RotationPlan {
  const request = inputs.credentials.rotation?.request ?? "";
  const job = step === "prepare" ? inputs.prepareJob : inputs.finishJob;
  const said = inputs.jobFailure ? `: ${inputs.jobFailure}` : "";
  return {
    job: step,
    progress: {
      request,
      phase: "Failed",
      message: `Job ${job?.metadata?.name ?? step} failed${said}. ${stillWorking[step]}; delete the Job to try this step again`,
    },
  };
}

/** The credentials after a Secret change: what the Secret will hold from now on. */
export function applySecretChange(
  credentials: Credentials,
  change: SecretChange,
  fresh: () => CredentialsRotation,
  now: Date,
): Credentials {
  const { rotation } = credentials;
  if (change === "start") return { ...credentials, rotation: fresh() };
  if (!rotation) return credentials;
  if (change === "switch") {
    return {
      ...credentials,
      postgresPassword: rotation.postgresPassword,
      redisPassword: rotation.redisPassword,
      rotation: {
        ...rotation,
        stage: "switching",
        postgresPassword: credentials.postgresPassword,
        redisPassword: credentials.redisPassword,
      },
    };
  }
  const done: Credentials = {
    ...credentials,
    rotated: { request: rotation.request, at: now.toISOString() },
  };
  delete done.rotation;
  return done;
}

/** The rotation the app's current pods should run: their template annotation's value. */
export function credentialsRevision(credentials: Credentials): string | undefined {
  const { rotation, rotated } = credentials;
  if (rotation?.stage === "switching") return rotation.request;
  return rotated?.request;
}
