import type { V1Container, V1Deployment, V1PodSpec } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { expectRestrictedPodSpec } from "../../../test/fixtures/restricted.ts";
import { aContext, aTracker } from "../../../test/fixtures/tracker.ts";
import { childLabels, selectorLabels } from "../../names.ts";
import { buildRedisDeployment } from "./deployment.ts";

function podSpec(deployment: V1Deployment): V1PodSpec {
  const spec = deployment.spec?.template.spec;
  if (spec === undefined) throw new Error("the Deployment has no pod template");
  return spec;
}

function redisContainer(deployment: V1Deployment): V1Container {
  const container = podSpec(deployment).containers.find((c) => c.name === "redis");
  if (container === undefined) throw new Error("the pod has no redis container");
  return container;
}

/** The value that follows `flag` in the container's arguments. */
function argument(container: V1Container, flag: string): string | undefined {
  const args = container.args ?? [];
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
}

describe("buildRedisDeployment", () => {
  const tracker = aTracker();
  const deployment = buildRedisDeployment(tracker, aContext());

  it("is one Redis, owned by the FinanceTracker, replaced rather than rolled", () => {
    expect(deployment.apiVersion).toBe("apps/v1");
    expect(deployment.kind).toBe("Deployment");
    expect(deployment.metadata?.name).toBe("acme-redis");
    expect(deployment.metadata?.ownerReferences?.[0]?.uid).toBe(tracker.metadata.uid);
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.strategy).toEqual({ type: "Recreate" });
  });

  it("selects its pods by the stable selector labels, which the pod template carries", () => {
    expect(deployment.spec?.selector.matchLabels).toEqual(selectorLabels("acme", "redis"));
    expect(deployment.spec?.template.metadata?.labels).toEqual(childLabels("acme", "redis"));
  });

  it("uses the Redis image of the build context", () => {
    const ctx = aContext({ images: { ...aContext().images, redis: "mirror.example/redis:8" } });

    expect(redisContainer(buildRedisDeployment(tracker, ctx)).image).toBe("mirror.example/redis:8");
  });

  it("passes the restricted profile", () => {
    expectRestrictedPodSpec(podSpec(deployment));
  });

  it("runs as the redis user", () => {
    const security = podSpec(deployment).securityContext;

    expect(security?.runAsUser).toBe(999);
    expect(security?.runAsGroup).toBe(999);
  });

  it("keeps nothing on disk: no snapshots and no append-only file", () => {
    const container = redisContainer(deployment);

    expect(argument(container, "--save")).toBe("");
    expect(argument(container, "--appendonly")).toBe("no");
    expect(podSpec(deployment).volumes?.every((v) => v.emptyDir !== undefined)).toBe(true);
  });

  it("gives the paths Redis writes a writable volume, the root filesystem being read-only", () => {
    const mounts = redisContainer(deployment).volumeMounts ?? [];
    const volumes = (podSpec(deployment).volumes ?? []).map((v) => v.name);

    expect(mounts.map((m) => m.mountPath).sort()).toEqual(["/data", "/tmp"]);
    for (const mount of mounts) expect(volumes).toContain(mount.name);
  });

  it("requires the password from the credentials Secret", () => {
    const container = redisContainer(deployment);
    const password = container.env?.find((e) => e.name === "REDIS_PASSWORD");

    expect(argument(container, "--requirepass")).toBe("$(REDIS_PASSWORD)");
    expect(password?.valueFrom?.secretKeyRef).toEqual({
      name: "acme-credentials",
      key: "redis-password",
    });
  });

  it("never puts a password in the pod spec in clear text", () => {
    const ctx = aContext();
    const text = JSON.stringify(buildRedisDeployment(tracker, ctx));

    for (const secret of Object.values(ctx.credentials)) expect(text).not.toContain(secret);
    expect(redisContainer(deployment).env?.every((e) => e.value === undefined)).toBe(true);
  });

  it("probes with a ping that keeps the password off the command line and outlives a rotation", () => {
    const container = redisContainer(deployment);

    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      const script = probe?.exec?.command?.at(-1) ?? "";
      expect(script).toContain('REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli --no-auth-warning ping');
      expect(script).not.toMatch(/-a\b/);
      // The answer to a password rotated since the container started still proves Redis alive.
      expect(script).toContain("NOAUTH");
    }
  });

  it("exposes port 6379 under the name the Service targets", () => {
    expect(redisContainer(deployment).ports).toEqual([
      expect.objectContaining({ name: "redis", containerPort: 6379 }),
    ]);
  });

  it("applies default resources, letting the spec override them key by key", () => {
    expect(redisContainer(deployment).resources).toEqual({
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { memory: "256Mi" },
    });
    const sized = buildRedisDeployment(
      aTracker({ spec: { redis: { resources: { limits: { memory: "512Mi" } } } } }),
      aContext(),
    );
    expect(redisContainer(sized).resources?.limits).toEqual({ memory: "512Mi" });
    expect(redisContainer(sized).resources?.requests).toEqual({ cpu: "50m", memory: "64Mi" });
  });
});
