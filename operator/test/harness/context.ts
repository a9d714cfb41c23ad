import type { ClusterInfo } from "./cluster.ts";

// What the operator's integration global setup hands to every test file through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    cluster: ClusterInfo;
  }
}
