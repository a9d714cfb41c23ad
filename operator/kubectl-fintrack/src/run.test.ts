import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Command, Io } from "./cli.ts";
import { describeError, runCli } from "./run.ts";

function recorder(): Io & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (l) => outs.push(l), err: (l) => errs.push(l) };
}

const failing: Command = {
  name: "status",
  args: ["<tenant>"],
  summary: "Show a tenant.",
  description: "",
  flags: {},
  examples: [],
  run: ({ args }) => Promise.reject(new Error(`FinanceTracker "${args[0] ?? ""}" not found`)),
};

describe("runCli", () => {
  it("prints help on stdout and exits 0", async () => {
    const io = recorder();

    expect(await runCli(["--help"], [failing], io)).toBe(0);
    expect(io.outs.join("\n")).toContain("kubectl fintrack <command> [flags]");
  });

  it("exits 2 on a usage error, pointing at the help, without running anything", async () => {
    const io = recorder();

    expect(await runCli(["status"], [failing], io)).toBe(2);
    expect(io.errs).toEqual([
      "error: status needs <tenant>",
      "See 'kubectl fintrack status --help'.",
    ]);
  });

  it("exits 1 with the command's error on stderr, nothing on stdout", async () => {
    const io = recorder();

    expect(await runCli(["status", "ghost"], [failing], io)).toBe(1);
    expect(io.errs).toEqual(['error: FinanceTracker "ghost" not found']);
    expect(io.outs).toEqual([]);
  });
});

describe("describeError", () => {
  it("shows the API server's own message from a Status body", () => {
    const body = JSON.stringify({ kind: "Status", message: 'financetrackers "x" is forbidden' });

    expect(describeError(new ApiException(403, "GET /apis/...: HTTP 403", body, {}))).toBe(
      'financetrackers "x" is forbidden (HTTP 403)',
    );
  });

  it("gives the HTTP code when the body is no Status, and an error's own message otherwise", () => {
    expect(describeError(new ApiException(502, "Bad Gateway", "<html>", {}))).toBe(
      "the API server answered HTTP 502",
    );
    expect(describeError(new Error("plain"))).toBe("plain");
  });
});
