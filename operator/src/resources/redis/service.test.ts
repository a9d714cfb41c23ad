import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { childLabels, selectorLabels } from "../../names.ts";
import { buildRedisService } from "./service.ts";

describe("buildRedisService", () => {
  const tracker = aTracker();
  const service = buildRedisService(tracker);

  it("is the cluster-internal Service the Redis URL names, owned by the FinanceTracker", () => {
    expect(service.apiVersion).toBe("v1");
    expect(service.kind).toBe("Service");
    expect(service.metadata?.name).toBe("acme-redis");
    expect(service.metadata?.labels).toEqual(childLabels("acme", "redis"));
    expect(service.metadata?.ownerReferences?.[0]?.uid).toBe(tracker.metadata.uid);
    expect(service.spec?.type).toBe("ClusterIP");
  });

  it("selects only this tenant's Redis pods", () => {
    expect(service.spec?.selector).toEqual(selectorLabels("acme", "redis"));
  });

  it("serves port 6379 by the container's port name", () => {
    expect(service.spec?.ports).toEqual([
      expect.objectContaining({ name: "redis", port: 6379, targetPort: "redis" }),
    ]);
  });
});
