import type { Server } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { useRedisPrefix, useTestDatabase } from "../test/harness/database.ts";
import { freePort } from "../test/harness/process.ts";
import { loadConfig } from "./config.ts";
import { startServer, type RunningServer } from "./server.ts";

function boundAddress(server: Server): string | undefined {
  const address = server.address();
  return typeof address === "object" && address !== null ? address.address : undefined;
}

describe("the address the servers bind", () => {
  const db = useTestDatabase();
  const { url: redisUrl } = useRedisPrefix();
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.shutdown(1000);
    running = undefined;
  });

  async function start(env: Record<string, string>): Promise<RunningServer> {
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      VALIDATE_RESPONSES: "true",
      SESSION_SECRET: "s".repeat(48),
      PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      ...env,
    });
    running = await startServer(config, pino({ level: "silent" }));
    return running;
  }

  it("binds the app and its metrics to HOST alone when it is set", async () => {
    const { server, metricsServer } = await start({ HOST: "127.0.0.1" });
    expect(boundAddress(server)).toBe("127.0.0.1");
    expect(boundAddress(metricsServer)).toBe("127.0.0.1");
  });

  it("binds every interface without HOST, as a container needs", async () => {
    const { server } = await start({});
    expect(["::", "0.0.0.0"]).toContain(boundAddress(server));
  });
});
