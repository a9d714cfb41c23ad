import { ApiException } from "@kubernetes/client-node";
import { parseCommandLine, type Command, type Io } from "./cli.ts";
import { Cluster } from "./cluster.ts";

/** An API error as one line: the server's own message when it sent a Status. */
export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    try {
      const status = JSON.parse(String(error.body)) as { message?: string };
      if (status.message) return `${status.message} (HTTP ${String(error.code)})`;
    } catch {
      // Not a Status body (a proxy's error page): the code is what is known.
    }
    return `the API server answered HTTP ${String(error.code)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Runs one command line; resolves with the exit code (2 for a usage error, as kubectl). */
export async function runCli(
  argv: readonly string[],
  all: readonly Command[],
  io: Io,
): Promise<number> {
  const parsed = parseCommandLine(argv, all);
  if (parsed.kind === "help") {
    io.out(parsed.text);
    return 0;
  }
  if (parsed.kind === "usage-error") {
    io.err(`error: ${parsed.message}`);
    io.err(parsed.hint);
    return 2;
  }
  let cluster: Cluster | undefined;
  try {
    return await parsed.command.run({
      args: parsed.args,
      flags: parsed.flags,
      passthrough: parsed.passthrough,
      connection: parsed.connection,
      cluster: () => (cluster ??= Cluster.connect(parsed.connection)),
      io,
    });
  } catch (error) {
    io.err(`error: ${describeError(error)}`);
    return 1;
  }
}
