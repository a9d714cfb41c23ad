import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  appliedHashAnnotation,
  canSkipApply,
  hashObject,
  isSubset,
  withAppliedHash,
} from "./drift.ts";

const desired = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "acme-app", namespace: "t", labels: { a: "1" } },
  spec: { ports: [{ name: "http", port: 8080 }] },
};

describe("drift detection", () => {
  it("hashes independently of key order", () => {
    expect(hashObject({ a: 1, b: { c: 2, d: 3 } })).toBe(hashObject({ b: { d: 3, c: 2 }, a: 1 }));
    expect(hashObject({ a: 1 })).not.toBe(hashObject({ a: 2 }));
  });

  it("treats server-added fields as no drift but a changed field as drift", () => {
    const live = {
      ...desired,
      metadata: {
        ...desired.metadata,
        uid: "u",
        resourceVersion: "7",
        labels: { a: "1", other: "x" },
      },
      spec: {
        ports: [{ name: "http", port: 8080, protocol: "TCP", targetPort: 8080 }],
        clusterIP: "10.0.0.1",
      },
    };
    expect(isSubset(desired, live)).toBe(true);
    expect(isSubset(desired, { ...live, spec: { ports: [{ name: "http", port: 9090 }] } })).toBe(
      false,
    );
    expect(isSubset(desired, { ...live, spec: { ports: [] } })).toBe(false);
  });

  it("skips only when the live object carries the same applied hash and our fields", () => {
    const stamped = withAppliedHash(desired);
    const hash = (stamped as KubernetesObject).metadata?.annotations?.[appliedHashAnnotation];
    const live = { ...stamped, metadata: { ...stamped.metadata, resourceVersion: "5" } };
    expect(canSkipApply(stamped, live, undefined)).toBe(true);
    expect(canSkipApply(stamped, undefined, undefined)).toBe(false);

    const newSpec = withAppliedHash({
      ...desired,
      spec: { ports: [{ name: "http", port: 8081 }] },
    });
    expect(canSkipApply(newSpec, live, "5")).toBe(false);

    const edited = { ...live, spec: { ports: [{ name: "http", port: 1 }] } };
    expect(canSkipApply(stamped, edited, undefined)).toBe(false);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("skips a live object the API server normalised when it is the version we last applied", () => {
    const stamped = withAppliedHash({ ...desired, spec: { cpu: "0.5" } });
    const normalised = {
      ...stamped,
      metadata: { ...stamped.metadata, resourceVersion: "9" },
      spec: { cpu: "500m" },
    };
    expect(canSkipApply(stamped, normalised, "9")).toBe(true);
    expect(canSkipApply(stamped, normalised, "8")).toBe(false);
  });
});
