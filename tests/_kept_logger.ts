// A logger that keeps what it is told, for tests that check what was logged.
import type { Logger } from "../core/mod.ts";

/** Keeps `level: message` lines (debug aside) in `lines`, and each line's fields in `fields`. */
export function keptLogger(): Logger & { lines: string[]; fields: Record<string, unknown>[] } {
  const lines: string[] = [];
  const fields: Record<string, unknown>[] = [];
  const keep = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    lines.push(`${level}: ${message}`);
    fields.push(extra ?? {});
  };
  return {
    lines,
    fields,
    error: keep("error"),
    warn: keep("warn"),
    info: keep("info"),
    debug: () => {},
  };
}
