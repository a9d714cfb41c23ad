import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { freePort, startProcess, waitFor } from "./process.ts";

/** Where a test Redis server listens. The password mirrors production, where Redis has one. */
export interface RedisInfo {
  url: string;
  version: string;
}

export interface RedisServer extends RedisInfo {
  stop: () => Promise<void>;
  /** Stops the server process (SIGSTOP): connections stay open and nothing is answered. */
  freeze: () => void;
  /** Lets a frozen server run again (SIGCONT). */
  thaw: () => void;
}

/** Starts a private Redis server on a free loopback port, with no persistence. */
export async function startRedis(
  binary = process.env.REDIS_SERVER ?? "redis-server",
): Promise<RedisServer> {
  const port = await freePort();
  const password = randomBytes(16).toString("hex");
  const server = startProcess(
    binary,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--requirepass",
      password,
    ],
    {},
  );
  const url = `redis://:${password}@127.0.0.1:${port}`;
  let version: string;
  try {
    version = await waitFor(
      `Redis on port ${port}`,
      async () => {
        const client = new Redis(url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        client.on("error", () => undefined); // connect() rejects with the same error
        try {
          await client.connect();
          const info = await client.info("server");
          return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
        } finally {
          client.disconnect();
        }
      },
      { alive: () => server.child.exitCode === null },
    );
  } catch (error) {
    await server.stop();
    throw new Error(`${String(error)}\n${server.output()}`, { cause: error });
  }
  return {
    url,
    version,
    stop: async () => {
      server.child.kill("SIGCONT"); // a frozen server would not act on SIGTERM
      await server.stop();
    },
    freeze: () => {
      server.child.kill("SIGSTOP");
    },
    thaw: () => {
      server.child.kill("SIGCONT");
    },
  };
}
