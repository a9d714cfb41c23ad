#!/usr/bin/env node
import type { Io } from "./cli.ts";
import { commands } from "./commands/index.ts";
import { runCli } from "./run.ts";

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
process.exitCode = await runCli(process.argv.slice(2), commands, io);
