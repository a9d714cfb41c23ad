import type { PostgresInfo } from "./postgres.ts";
import type { RedisInfo } from "./redis.ts";

// What the app's integration global setup hands to every test file through vitest's inject().
declare module "vitest" {
  export interface ProvidedContext {
    postgres: PostgresInfo;
    redis: RedisInfo;
  }
}
