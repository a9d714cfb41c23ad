import { describe, expect, it } from "vitest";
import {
  commandHelp,
  parseCommandLine,
  parseDuration,
  pluginHelp,
  type Command,
  type Parsed,
} from "./cli.ts";

const run = () => Promise.resolve(0);
const backup: Command = {
  name: "backup",
  args: ["<tenant>"],
  summary: "Back up a tenant now.",
  description: "Creates a FinanceTrackerBackup.",
  flags: {
    name: { type: "string", value: "<name>", description: "The backup's name." },
    wait: { type: "boolean", description: "Wait." },
  },
  examples: ["kubectl fintrack backup acme --wait"],
  run,
};
const status: Command = {
  ...backup,
  name: "status",
  summary: "Show a tenant.",
  flags: {},
  examples: [],
};
const commands = [status, backup];

function ran(parsed: Parsed) {
  if (parsed.kind !== "run") throw new Error(`expected a command to run, got ${parsed.kind}`);
  return parsed;
}

describe("parseCommandLine", () => {
  it("finds the command, its argument and its flags in any order, as kubectl takes them", () => {
    const parsed = ran(
      parseCommandLine(["-n", "status", "backup", "--wait", "acme", "--name", "b1"], commands),
    );

    expect(parsed.command.name).toBe("backup");
    expect(parsed.args).toEqual(["acme"]);
    expect(parsed.flags).toMatchObject({ wait: true, name: "b1" });
    expect(parsed.connection).toEqual({
      namespace: "status",
      kubeconfig: undefined,
      context: undefined,
    });
  });

  it("honours --kubeconfig and --context, and --namespace=value", () => {
    const parsed = ran(
      parseCommandLine(
        ["status", "acme", "--kubeconfig", "/k", "--context=prod", "--namespace=t"],
        commands,
      ),
    );

    expect(parsed.connection).toEqual({ namespace: "t", kubeconfig: "/k", context: "prod" });
  });

  it("passes everything after a bare -- through, untouched", () => {
    const parsed = ran(parseCommandLine(["status", "acme", "--", "-c", "select 1"], commands));

    expect(parsed.args).toEqual(["acme"]);
    expect(parsed.passthrough).toEqual(["-c", "select 1"]);
  });

  it("shows the plugin's help without a command, and a command's help with --help", () => {
    expect(parseCommandLine([], commands)).toEqual({ kind: "help", text: pluginHelp(commands) });
    expect(parseCommandLine(["backup", "-h"], commands)).toEqual({
      kind: "help",
      text: commandHelp(backup),
    });
  });

  it("refuses an unknown command, a missing argument, an extra one and an unknown flag", () => {
    expect(parseCommandLine(["bogus"], commands)).toMatchObject({
      kind: "usage-error",
      message: 'unknown command "bogus"',
      hint: "See 'kubectl fintrack --help'.",
    });
    expect(parseCommandLine(["backup"], commands)).toMatchObject({
      message: "backup needs <tenant>",
      hint: "See 'kubectl fintrack backup --help'.",
    });
    expect(parseCommandLine(["backup", "a", "b"], commands)).toMatchObject({
      message: 'backup takes <tenant>, not "a b"',
    });
    expect(parseCommandLine(["status", "acme", "--wait"], commands)).toMatchObject({
      kind: "usage-error",
    });
  });
});

describe("help", () => {
  it("lists every command with its summary", () => {
    const text = pluginHelp(commands);

    expect(text).toContain("status  Show a tenant.");
    expect(text).toContain("backup  Back up a tenant now.");
    expect(text).toMatch(/-n, --namespace <namespace>/);
  });

  it("shows a command's usage, its own flags aligned, the common ones and examples", () => {
    const text = commandHelp(backup);

    expect(text).toContain("  kubectl fintrack backup <tenant> [flags]");
    expect(text).toContain("      --name <name>  The backup's name.");
    expect(text).toContain("      --wait         Wait.");
    expect(text).toContain("--kubeconfig <path>");
    expect(text).toContain("  kubectl fintrack backup acme --wait");
  });
});

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["250ms", 250],
    ["30", 30_000],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("refuses what is no duration", () => {
    expect(() => parseDuration("ten minutes")).toThrow(/not a duration/);
  });
});
