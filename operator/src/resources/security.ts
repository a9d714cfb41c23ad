import type { V1PodSecurityContext, V1SecurityContext } from "@kubernetes/client-node";

/**
 * Security contexts that satisfy the Kubernetes `restricted` Pod Security profile, which tenant
 * namespaces enforce. Numeric ids are required: the kubelet can only prove `runAsNonRoot` for a
 * numeric user, never for a user name baked into an image.
 */

/** The pod-level security context of the restricted profile, running as `uid:gid` with `fsGroup` gid. */
export function restrictedPodSecurityContext(uid: number, gid: number): V1PodSecurityContext {
  assertNonRootId("uid", uid);
  assertNonRootId("gid", gid);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** The container-level security context of the restricted profile, with a read-only root filesystem. */
export function restrictedContainerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  };
}

// Id 0 is root: the restricted profile refuses runAsUser 0, and group 0 would hand out root's files.
function assertNonRootId(what: "uid" | "gid", id: number): void {
  if (!Number.isInteger(id) || id <= 0) {
    throw new RangeError(`${what} must be a positive integer, got ${id}`);
  }
}
