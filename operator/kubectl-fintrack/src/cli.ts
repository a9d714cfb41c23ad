import { parseArgs } from "node:util";
import type { Cluster, ConnectionOptions } from "./cluster.ts";

/** Where a command writes: results to `out` (scripts read it), progress and problems to `err`. */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** One flag of a command, as util.parseArgs takes it, with its help text. */
export interface Flag {
  type: "string" | "boolean";
  short?: string;
  /** How the value is shown in help, e.g. `<name>`; boolean flags have none. */
  value?: string;
  description: string;
}

/** What a command receives: its arguments, its own flags, and the cluster to talk to. */
export interface Invocation {
  args: string[];
  flags: Record<string, string | boolean | undefined>;
  /** Everything after a bare `--`, passed through (psql's own arguments). */
  passthrough: string[];
  connection: ConnectionOptions;
  /** Connects lazily: `--help` and usage errors never touch a kubeconfig. */
  cluster: () => Cluster;
  io: Io;
}

export interface Command {
  name: string;
  /** The positional arguments, as shown in help: `<tenant>`. */
  args: string[];
  summary: string;
  /** A paragraph or two of help after the usage line. */
  description: string;
  flags: Record<string, Flag>;
  examples: string[];
  /** Resolves with the exit code. */
  run: (invocation: Invocation) => Promise<number>;
}

/** The flags every command takes, like kubectl's. */
export const connectionFlags: Record<string, Flag> = {
  namespace: {
    type: "string",
    short: "n",
    value: "<namespace>",
    description: "The tenant's namespace (default: the context's namespace, else default).",
  },
  kubeconfig: {
    type: "string",
    value: "<path>",
    description: "The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).",
  },
  context: { type: "string", value: "<name>", description: "The kubeconfig context to use." },
  help: { type: "boolean", short: "h", description: "Show this help." },
};

/** The outcome of reading a command line. */
export type Parsed =
  | { kind: "help"; text: string }
  | { kind: "usage-error"; message: string; hint: string }
  | {
      kind: "run";
      command: Command;
      args: string[];
      flags: Record<string, string | boolean | undefined>;
      passthrough: string[];
      connection: ConnectionOptions;
    };

const programName = "kubectl fintrack";

/** The help screen of the plugin: its commands and the common flags. */
export function pluginHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Operate fintrack tenants (FinanceTracker resources): status, backups, restores, psql, port-forward and credentials.",
    "",
    "Usage:",
    `  ${programName} <command> [flags]`,
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Flags of every command:",
    ...flagLines(connectionFlags),
    "",
    `Run '${programName} <command> --help' for a command's own flags.`,
  ].join("\n");
}

/** The help screen of one command. */
export function commandHelp(command: Command): string {
  const own = Object.keys(command.flags).length > 0;
  return [
    command.summary,
    "",
    command.description,
    "",
    "Usage:",
    `  ${[programName, command.name, ...command.args].join(" ")}${own ? " [flags]" : ""}`,
    ...(own ? ["", "Flags:", ...flagLines(command.flags)] : []),
    "",
    "Flags of every command:",
    ...flagLines(connectionFlags),
    ...(command.examples.length > 0
      ? ["", "Examples:", ...command.examples.map((e) => `  ${e}`)]
      : []),
  ].join("\n");
}

function flagLines(flags: Record<string, Flag>): string[] {
  const names = Object.entries(flags).map(([name, flag]) =>
    [
      flag.short ? `-${flag.short}, ` : "    ",
      `--${name}`,
      flag.value ? ` ${flag.value}` : "",
    ].join(""),
  );
  const width = Math.max(...names.map((n) => n.length));
  return Object.values(flags).map(
    (flag, i) => `  ${(names[i] ?? "").padEnd(width)}  ${flag.description}`,
  );
}

/**
 * Reads a command line (what kubectl passes after `fintrack`). Flags may come before or after
 * the arguments, as with kubectl; a bare `--` ends them and the rest is passed through.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): Parsed {
  const split = argv.indexOf("--");
  const own = split === -1 ? [...argv] : argv.slice(0, split);
  const passthrough = split === -1 ? [] : argv.slice(split + 1);
  const name = commandName(own, commands);
  const command = commands.find((c) => c.name === name);
  const wantsHelp = own.includes("--help") || own.includes("-h");
  if (!command) {
    if (name === undefined || name === "help" || wantsHelp)
      return { kind: "help", text: pluginHelp(commands) };
    return usageError(`unknown command "${name}"`, `${programName} --help`);
  }
  const help = `${programName} ${command.name} --help`;
  if (wantsHelp) return { kind: "help", text: commandHelp(command) };
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      options: { ...connectionFlags, ...command.flags },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error), help);
  }
  const { values } = parsed;
  const positionals = parsed.positionals.slice(1);
  if (positionals.length !== command.args.length) {
    const wanted = command.args.join(" ");
    return usageError(
      positionals.length < command.args.length
        ? `${command.name} needs ${wanted}`
        : `${command.name} takes ${wanted}, not "${positionals.join(" ")}"`,
      help,
    );
  }
  const connection: ConnectionOptions = {
    namespace: stringValue(values.namespace),
    kubeconfig: stringValue(values.kubeconfig),
    context: stringValue(values.context),
  };
  return {
    kind: "run",
    command,
    args: positionals,
    flags: values,
    passthrough,
    connection,
  };
}

/** The first argument that is no flag's value: flags of every command are known, so `-n x` skips x. */
function commandName(argv: string[], commands: readonly Command[]): string | undefined {
  const every = Object.assign({}, connectionFlags, ...commands.map((c) => c.flags)) as Record<
    string,
    Flag
  >;
  const { positionals } = parseArgs({
    args: argv,
    options: every,
    allowPositionals: true,
    strict: false,
  });
  return positionals[0];
}

function usageError(message: string, help: string): Parsed {
  return { kind: "usage-error", message, hint: `See '${help}'.` };
}

function stringValue(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A string flag's value, or undefined. */
export function stringFlag(
  invocation: Pick<Invocation, "flags">,
  name: string,
): string | undefined {
  return stringValue(invocation.flags[name]);
}

/** A duration flag (`90s`, `10m`, `1h`) in milliseconds; plain numbers are seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration such as 90s, 10m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"] ?? 1000;
  return Number(match[1]) * unit;
}
