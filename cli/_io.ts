/**
 * What a command talks to: its output streams, whether they are a terminal,
 * the environment, and a signal that aborts on Ctrl-C. `main.ts` builds it
 * from the process; tests build their own.
 *
 * @module
 */

/** A command's world. */
export interface CliIo {
  /** Writes to standard output, as given (add the newline). */
  readonly out: (text: string) => void;
  /** Writes to standard error, as given. */
  readonly err: (text: string) => void;
  /** Whether standard output is a terminal (tables and progress bars) or a pipe (plain lines). */
  readonly isTTY: boolean;
  /** The terminal's width in columns; 100 when unknown. */
  readonly columns: number;
  /** Environment variables (`DATABASE_URL`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: `tail` stops following, `rebuild` stops after the page in progress. */
  readonly signal: AbortSignal;
  /** Resolves relative paths (a projection module, a PGlite directory). */
  readonly cwd: string;
}
