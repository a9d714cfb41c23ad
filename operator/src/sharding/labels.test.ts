import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { shardLabel } from "./assignment.ts";
import { shardSelector, withShardLabel } from "./labels.ts";

describe("shard labels", () => {
  const deployment: V1Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "acme-app", labels: { "app.kubernetes.io/instance": "acme" } },
    spec: {
      selector: { matchLabels: { "app.kubernetes.io/instance": "acme" } },
      template: { metadata: { labels: { "app.kubernetes.io/instance": "acme" } } },
    },
  };

  it("labels the object itself, never its pod template, and copies rather than changes it", () => {
    const stamped = withShardLabel(deployment, "op-1");
    expect(stamped.metadata?.labels).toEqual({
      "app.kubernetes.io/instance": "acme",
      [shardLabel]: "op-1",
    });
    expect(stamped.spec).toBe(deployment.spec);
    expect(deployment.metadata?.labels).not.toHaveProperty(shardLabel);
  });

  it("narrows a watch's selector to the member's objects", () => {
    expect(shardSelector("app.kubernetes.io/managed-by=fintrack-operator", "op-1")).toBe(
      `app.kubernetes.io/managed-by=fintrack-operator,${shardLabel}=op-1`,
    );
  });
});
