import type { Command } from "../cli.ts";
import { adminPasswordCommand } from "./admin-password.ts";
import { backupCommand } from "./backup.ts";
import { openCommand } from "./open.ts";
import { psqlCommand } from "./psql.ts";
import { restoreCommand } from "./restore.ts";
import { rotateCredentialsCommand } from "./rotate-credentials.ts";
import { statusCommand } from "./status.ts";

/** Every command, in the order help lists them. */
export const commands: readonly Command[] = [
  statusCommand,
  backupCommand,
  restoreCommand,
  psqlCommand,
  openCommand,
  adminPasswordCommand,
  rotateCredentialsCommand,
];
