/**
 * What the command line says when a command stops on an error: the message
 * and what to do, and the exit code (1 failed, 2 bad usage).
 *
 * @module
 */

import {
  NotMigratedError,
  OrdoError,
  StoreUnavailableError,
  ValidationError,
} from "../core/mod.ts";
import { CliFailure } from "./_failure.ts";

/** The text to print and the exit code for `error`, thrown by `ordo <command>`. */
export function describeFailure(error: unknown, command: string): { text: string; code: number } {
  const usage = `Run ordo ${command === "" ? "" : `${command} `}--help for usage.`;
  if (error instanceof CliFailure) {
    return error.exitCode === 2
      ? { text: `ordo ${command}: ${error.message}\n${usage}\n`, code: 2 }
      : { text: `ordo ${command}: ${error.message}\n`, code: 1 };
  }
  if (error instanceof NotMigratedError) {
    const versions = error.foundVersion === undefined || error.requiredVersion === undefined
      ? "lacks ordo's tables"
      : `has migration ${error.foundVersion}, this ordo needs ${error.requiredVersion}`;
    return {
      text:
        `ordo ${command}: schema "${error.schema}" ${versions}: run ordo migrate (or check --schema)\n`,
      code: 1,
    };
  }
  // A driver's error that no store translated (a storage's first query).
  const code = (error as { code?: unknown } | null)?.code;
  if (
    (error instanceof StoreUnavailableError && /call migrate\(\) first/.test(error.message)) ||
    code === "42P01" || code === "3F000" || code === "42883"
  ) {
    return {
      text:
        `ordo ${command}: the schema lacks ordo's tables, or is older than this ordo: run ordo migrate (or check --schema)\n`,
      code: 1,
    };
  }
  if (error instanceof StoreUnavailableError) {
    return {
      text:
        `ordo ${command}: ${error.message}: check that the server (--url) is reachable, then retry\n`,
      code: 1,
    };
  }
  if (error instanceof ValidationError) {
    return { text: `ordo ${command}: ${error.message}\n${usage}\n`, code: 2 };
  }
  if (error instanceof OrdoError) return { text: `ordo ${command}: ${error.message}\n`, code: 1 };
  const detail = error instanceof Error ? error.stack ?? error.message : String(error);
  return { text: `ordo ${command}: unexpected error: ${detail}\n`, code: 1 };
}
