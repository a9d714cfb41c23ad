import { spawn, type StdioOptions } from "node:child_process";

/** The kubectl to run: $KUBECTL, else the one on the PATH (kubectl runs plugins from the PATH too). */
export function kubectlBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.KUBECTL ?? "kubectl";
}

/** Runs kubectl with our terminal (or the given stdio) and resolves with its exit code. */
export function runKubectl(
  args: readonly string[],
  options: { stdio?: StdioOptions; onStdout?: (text: string) => void } = {},
): Promise<number> {
  const binary = kubectlBinary();
  // The terminal sends Ctrl-C to kubectl too: we outlive it, so its exit code becomes ours.
  const ignore = () => undefined;
  process.on("SIGINT", ignore);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: options.stdio ?? "inherit" });
    child.stdout?.on("data", (chunk: Buffer) => options.onStdout?.(chunk.toString()));
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new Error(`${binary} not found: install kubectl, or set KUBECTL to its path`)
          : error,
      );
    });
    child.once("exit", (code, signal) => {
      resolve(code ?? (signal === "SIGINT" ? 130 : 1));
    });
  }).finally(() => process.off("SIGINT", ignore));
}
