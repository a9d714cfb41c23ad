import type { V1Service, V1ServicePort } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { ports } from "../../context.ts";
import { childMetadata, childNames, selectorLabels } from "../../names.ts";

function postgresPorts(): V1ServicePort[] {
  return [{ name: "postgres", protocol: "TCP", port: ports.postgres, targetPort: "postgres" }];
}

/** The Service the app connects to: a stable virtual IP in front of the ready PostgreSQL pod. */
export function buildPostgresService(tracker: FinanceTracker): V1Service {
  const name = tracker.metadata.name;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: childMetadata(tracker, "postgres", childNames(name).postgres),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(name, "postgres"),
      ports: postgresPorts(),
    },
  };
}

/**
 * The StatefulSet's governing Service, which gives each pod a stable DNS name. It publishes pods
 * before they are ready so that the name resolves while PostgreSQL is still starting.
 */
export function buildPostgresHeadlessService(tracker: FinanceTracker): V1Service {
  const name = tracker.metadata.name;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: childMetadata(tracker, "postgres", childNames(name).postgresHeadless),
    spec: {
      type: "ClusterIP",
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: selectorLabels(name, "postgres"),
      ports: postgresPorts(),
    },
  };
}
