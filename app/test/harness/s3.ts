import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { s3Client, type StoreConfig } from "../../src/backup/store.ts";
import { freePort, startProcess, waitFor } from "./process.ts";

/** A running S3-compatible server on loopback. */
export interface S3Server {
  endpoint: string;
  /** Store settings for a bucket on this server (created by `createBucket`). */
  config: (bucket: string, prefix?: string) => StoreConfig;
  createBucket: (bucket: string) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The python of the virtualenv hack/install-s3-server.sh fills: FINTRACK_S3_PYTHON when set, else
 * the cache entry for the pinned moto version.
 */
export function s3ServerPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FINTRACK_S3_PYTHON) return env.FINTRACK_S3_PYTHON;
  const pins = readFileSync(new URL("../../../hack/versions.env", import.meta.url), "utf8");
  const version = /^MOTO_VERSION=(\S+)$/m.exec(pins)?.[1];
  if (!version) throw new Error("hack/versions.env has no MOTO_VERSION");
  const cache = env.FINTRACK_CACHE ?? join(homedir(), ".cache", "fintrack");
  return join(cache, `moto-${version}`, "bin", "python");
}

/**
 * Starts moto's S3 server (a real HTTP implementation of the S3 API, installed by
 * hack/install-s3-server.sh) on a free loopback port, with data in memory.
 */
export async function startS3(python = s3ServerPython()): Promise<S3Server> {
  const port = await freePort();
  const server = startProcess(
    python,
    ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
    {
      env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
    },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `S3 server on port ${port}`,
      async () => {
        const res = await fetch(`${endpoint}/moto-api/`);
        if (!res.ok) throw new Error(`status ${res.status}`);
      },
      { alive: () => server.child.exitCode === null, timeoutMs: 60_000 },
    );
  } catch (error) {
    await server.stop();
    throw new Error(
      `${String(error)}\n${server.output()}\n(run hack/install-s3-server.sh to install it)`,
      { cause: error },
    );
  }
  const config = (bucket: string, prefix = ""): StoreConfig => ({
    bucket,
    prefix,
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return {
    endpoint,
    config,
    createBucket: async (bucket) => {
      const client = s3Client(config(bucket));
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      client.destroy();
    },
    stop: () => server.stop(),
  };
}
