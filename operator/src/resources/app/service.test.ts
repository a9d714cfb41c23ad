import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { selectorLabels } from "../../names.ts";
import { buildAppService } from "./service.ts";

describe("buildAppService", () => {
  it("is a cluster-internal Service selecting only this tenant's app pods", () => {
    const service = buildAppService(aTracker());

    expect(service.metadata?.name).toBe("acme-app");
    expect(service.spec?.type).toBe("ClusterIP");
    expect(service.spec?.selector).toEqual(selectorLabels("acme", "app"));
  });

  it("exposes http and metrics by the container's port names", () => {
    const service = buildAppService(aTracker());

    expect(service.spec?.ports).toEqual([
      expect.objectContaining({ name: "http", port: 8080, targetPort: "http" }),
      expect.objectContaining({ name: "metrics", port: 9090, targetPort: "metrics" }),
    ]);
  });
});
