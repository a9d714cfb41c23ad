import { spawnSync } from "node:child_process";

/** promtool from Debian's `prometheus` package (hack/install-system-packages.sh installs it). */
export const promtool = process.env.PROMTOOL ?? "promtool";

/** What promtool printed (stdout then stderr) and its exit code. */
export interface PromtoolResult {
  status: number | null;
  output: string;
}

/** Runs promtool with `args`, feeding `input` on stdin; throws only when it cannot start. */
export function runPromtool(args: string[], input?: string, cwd?: string): PromtoolResult {
  const result = spawnSync(promtool, args, { input, encoding: "utf8", cwd });
  if (result.error) {
    throw new Error(
      `${promtool} could not run (apt-get install prometheus): ${result.error.message}`,
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * Pipes a /metrics text into `promtool check metrics`. promtool prints one line per lint problem
 * (a counter without `_total`, a unit not in base units, a missing HELP) and exits non-zero for
 * them as for a parse error; a clean exposition prints nothing.
 */
export function checkMetrics(exposition: string): { status: number | null; problems: string[] } {
  const { status, output } = runPromtool(["check", "metrics"], exposition);
  const problems = output
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return { status, problems };
}
