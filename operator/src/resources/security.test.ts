import { describe, expect, it } from "vitest";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./security.ts";

describe("restrictedPodSecurityContext", () => {
  it("runs as the given numeric user and group, which also owns mounted volumes", () => {
    const context = restrictedPodSecurityContext(70, 71);
    expect(context.runAsNonRoot).toBe(true);
    expect(context.runAsUser).toBe(70);
    expect(context.runAsGroup).toBe(71);
    expect(context.fsGroup).toBe(71);
  });

  it("uses the container runtime's default seccomp profile", () => {
    expect(restrictedPodSecurityContext(999, 999).seccompProfile).toEqual({
      type: "RuntimeDefault",
    });
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses %s as a user or group id", (id) => {
    expect(() => restrictedPodSecurityContext(id, 1000)).toThrow(RangeError);
    expect(() => restrictedPodSecurityContext(1000, id)).toThrow(RangeError);
  });
});

describe("restrictedContainerSecurityContext", () => {
  it("forbids privilege escalation and drops every capability", () => {
    const context = restrictedContainerSecurityContext();
    expect(context.allowPrivilegeEscalation).toBe(false);
    expect(context.privileged).toBe(false);
    expect(context.capabilities).toEqual({ drop: ["ALL"] });
  });

  it("mounts the root filesystem read-only", () => {
    expect(restrictedContainerSecurityContext().readOnlyRootFilesystem).toBe(true);
  });

  it("returns a fresh object each time, so one pod cannot alter another's", () => {
    const first = restrictedContainerSecurityContext();
    first.capabilities?.drop?.push("NET_RAW");
    expect(restrictedContainerSecurityContext().capabilities).toEqual({ drop: ["ALL"] });
  });
});
