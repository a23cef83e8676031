/**
 * Every command of the command line, in the order `ordo --help` lists them.
 *
 * @module
 */

import type { Command } from "./_command.ts";
import { consumersCommand } from "./_consumers_command.ts";
import { migrateCommand } from "./_migrate_command.ts";
import { parkedCommand } from "./_parked_command.ts";
import { readCommand } from "./_read_command.ts";
import { rebuildCommand } from "./_rebuild_command.ts";
import { statusCommand } from "./_status_command.ts";
import { streamsCommand } from "./_streams_command.ts";
import { tailCommand } from "./_tail_command.ts";

/** The commands, by name. */
export const COMMANDS: readonly Command[] = [
  migrateCommand,
  statusCommand,
  streamsCommand,
  readCommand,
  tailCommand,
  consumersCommand,
  parkedCommand,
  rebuildCommand,
];
