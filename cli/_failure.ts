/**
 * What a command reports when it stops: a failure (exit 1) or bad usage
 * (exit 2), each with a message that says what to do.
 *
 * @module
 */

/** A command ran and failed: exit code 1. */
export class CliFailure extends Error {
  /** The exit code: 1. */
  readonly exitCode: number = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliFailure";
  }
}

/** The command line was wrong: exit code 2, and the command's usage. */
export class CliUsageError extends CliFailure {
  override readonly exitCode: number = 2;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliUsageError";
  }
}
