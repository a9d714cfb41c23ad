import type { V1ServiceAccount } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { childMetadata, childNames } from "../../names.ts";

/** The app's own identity; it never talks to the API server, so no token is mounted. */
export function buildAppServiceAccount(tracker: FinanceTracker): V1ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: childMetadata(tracker, "app", childNames(tracker.metadata.name).serviceAccount),
    automountServiceAccountToken: false,
  };
}
