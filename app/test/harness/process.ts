import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not read the port of a probe socket"));
      });
    });
  });
}

/** The uid and gid of a system user, read from /etc/passwd. */
export function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  const fields = line?.split(":");
  if (!fields || fields.length < 4) throw new Error(`system user ${name} does not exist`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** A started server process whose output is kept for error messages. */
export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts a long-running process, keeping the tail of its output, and stops it on demand. */
export function startProcess(
  command: string,
  args: string[],
  options: SpawnOptions,
): ServerProcess {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      resolve();
    });
  });
  return {
    child,
    output: () => tail,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killTimer);
    },
  };
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** False once the process being waited on has died: stop waiting at once. */
  alive?: () => boolean;
}

/** Retries `probe` until it resolves or the deadline passes; the last error explains the failure. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  { timeoutMs = 30_000, intervalMs = 100, alive = () => true }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what}: the process exited`, { cause: lastError });
    try {
      return await probe();
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`, { cause: lastError });
}
