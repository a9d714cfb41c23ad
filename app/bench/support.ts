// What the app's benchmarks share: child processes stopped before their databases, and an owner
// token obtained through the API as a user would get one.
import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";

const children: ChildProcess[] = [];

/** The NODE_OPTIONS the app's image runs it with (Dockerfile.app), so figures are the image's. */
export function imageNodeOptions(): string {
  const dockerfile = readFileSync(new URL("../../Dockerfile.app", import.meta.url), "utf8");
  const options = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1];
  if (options === undefined) throw new Error("Dockerfile.app sets no NODE_OPTIONS");
  return options;
}

/**
 * Starts `node <script>` as a child the benchmark stops with stopChildren(), with the image's
 * NODE_OPTIONS unless `env` gives its own.
 */
export function startNode(
  script: URL,
  env: Record<string, string>,
  stdio: SpawnOptions["stdio"] = ["ignore", "inherit", "inherit"],
): ChildProcess {
  const child = spawn(process.execPath, [script.pathname], {
    env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: imageNodeOptions(), ...env },
    stdio,
  });
  children.push(child);
  return child;
}

/** Stops the children and waits for them, so none sees its database vanish. */
export async function stopChildren(): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }),
  );
}

/** The JSON body of a successful answer; any other answer fails the benchmark, saying why. */
export async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${String(res.status)} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Signs up the owner and creates a token of `scope`, through the API as a user would. */
export async function ownerToken(base: string, scope: "read" | "write"): Promise<string> {
  const registered = await fetch(`${base}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: "bench@fintrack.local",
      password: "a long and boring passphrase",
      name: "Bench",
    }),
  });
  await json(registered);
  const cookie = (registered.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { token: csrf } = await json<{ token: string }>(
    await fetch(`${base}/api/v1/auth/csrf`, { headers: { cookie } }),
  );
  const { token } = await json<{ token: string }>(
    await fetch(`${base}/api/v1/tokens`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", scope }),
    }),
  );
  return token;
}
