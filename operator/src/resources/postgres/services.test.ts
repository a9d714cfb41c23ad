import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { childLabels, selectorLabels } from "../../names.ts";
import { buildPostgresHeadlessService, buildPostgresService } from "./services.ts";

describe("buildPostgresService", () => {
  const tracker = aTracker();
  const service = buildPostgresService(tracker);

  it("is the cluster-internal Service the database URL names, owned by the FinanceTracker", () => {
    expect(service.apiVersion).toBe("v1");
    expect(service.kind).toBe("Service");
    expect(service.metadata?.name).toBe("acme-postgres");
    expect(service.metadata?.labels).toEqual(childLabels("acme", "postgres"));
    expect(service.metadata?.ownerReferences?.[0]?.uid).toBe(tracker.metadata.uid);
    expect(service.spec?.type).toBe("ClusterIP");
    expect(service.spec?.clusterIP).toBeUndefined();
  });

  it("selects only this tenant's PostgreSQL pods", () => {
    expect(service.spec?.selector).toEqual(selectorLabels("acme", "postgres"));
    expect(buildPostgresService(aTracker({ metadata: { name: "other" } })).spec?.selector).toEqual(
      selectorLabels("other", "postgres"),
    );
  });

  it("serves port 5432 by the container's port name", () => {
    expect(service.spec?.ports).toEqual([
      expect.objectContaining({ name: "postgres", port: 5432, targetPort: "postgres" }),
    ]);
  });
});

describe("buildPostgresHeadlessService", () => {
  const service = buildPostgresHeadlessService(aTracker());

  it("is headless, under the name the StatefulSet's serviceName gives", () => {
    expect(service.metadata?.name).toBe("acme-postgres-hl");
    expect(service.spec?.clusterIP).toBe("None");
  });

  it("publishes PostgreSQL pods before they are ready", () => {
    expect(service.spec?.publishNotReadyAddresses).toBe(true);
  });

  it("selects the same pods on the same port as the regular Service", () => {
    const regular = buildPostgresService(aTracker());

    expect(service.spec?.selector).toEqual(regular.spec?.selector);
    expect(service.spec?.ports).toEqual(regular.spec?.ports);
  });
});
