import { spawnSync } from "node:child_process";

/** promtool from Debian's `prometheus` package (hack/install-system-packages.sh installs it). */
export const promtool = process.env.PROMTOOL ?? "promtool";

/** What `promtool check metrics` said about a scrape: its exit code and every line it printed. */
export interface MetricsCheck {
  status: number | null;
  problems: string[];
}

/**
 * Pipes a /metrics text into `promtool check metrics`. promtool prints one line per lint problem
 * (a counter without `_total`, a unit not in base units, a missing HELP) and exits non-zero for
 * them as for a parse error; a clean exposition prints nothing.
 */
export function checkMetrics(exposition: string): MetricsCheck {
  const result = spawnSync(promtool, ["check", "metrics"], { input: exposition, encoding: "utf8" });
  if (result.error) {
    throw new Error(
      `${promtool} could not run (apt-get install prometheus): ${result.error.message}`,
    );
  }
  const problems = `${result.stdout}${result.stderr}`
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return { status: result.status, problems };
}
