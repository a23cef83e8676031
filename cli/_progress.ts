/**
 * A rebuild's progress as people watch it: on a terminal, one bar redrawn
 * in place (count, share, rate, ETA); piped, a plain line at most once a
 * second, so a log stays readable. Written to standard error, so that
 * `--json` output on standard output stays one document.
 *
 * @module
 */

import type { RebuildProgress } from "../core/mod.ts";
import type { CliIo } from "./_io.ts";

const BAR = 24;

/** What a {@link ProgressReport} reports on. */
export interface ProgressReportOptions {
  /** The consumer group rebuilt. */
  readonly group: string;
  /** True with `--json`: the result is the one document, nothing else is written. */
  readonly quiet: boolean;
  /** `"version"` for a stream source, whose checkpoint is a stream version. */
  readonly unit: "position" | "version";
}

/** Draws or logs progress for one rebuild. */
export class ProgressReport {
  readonly #io: CliIo;
  readonly #group: string;
  readonly #quiet: boolean;
  readonly #unit: "position" | "version";
  #last = 0;

  constructor(io: CliIo, options: ProgressReportOptions) {
    this.#io = io;
    this.#group = options.group;
    this.#quiet = options.quiet;
    this.#unit = options.unit;
  }

  /** After each page. */
  update(progress: RebuildProgress): void {
    if (this.#quiet) return;
    const now = Date.now();
    if (now - this.#last < (this.#io.isTTY ? 100 : 1000)) return;
    this.#last = now;
    if (this.#io.isTTY) this.#io.err(`\r${bar(progress)} ${figures(progress)}\x1b[K`);
    else this.#io.err(`rebuild ${this.#group}: ${figures(progress)}\n`);
  }

  /** Once, at the end. */
  finish(progress: RebuildProgress): void {
    if (this.#quiet) return;
    if (this.#io.isTTY) this.#io.err(`\r${bar(progress)} ${figures(progress)}\x1b[K\n`);
    const seconds = (progress.elapsedMs / 1000).toFixed(1);
    const stopped = this.#io.signal.aborted;
    if (progress.processed === 0) {
      const what = stopped ? "stopped before its first message" : "rebuilt: no messages to replay";
      this.#io.err(`Group "${this.#group}" ${what} (${seconds} s)\n`);
      return;
    }
    // The last message handled, not the checkpoint (one past it): a user trial
    // read "rebuilt up to position 3001" with the last message at 3000.
    const reached = `${stopped ? "stopped after" : "rebuilt up to"} ${this.#unit} ${
      progress.position - 1n
    }`;
    // Parked messages are missing from the read model: say so on the line people read last.
    const parked = progress.parked === 0
      ? ""
      : `, ${progress.parked} parked: see ordo parked ${this.#group}`;
    this.#io.err(
      `Group "${this.#group}" ${reached}: ${progress.processed} messages in ${seconds} s (${
        Math.round(progress.rate)
      } msg/s)${parked}\n`,
    );
  }
}

function bar(progress: RebuildProgress): string {
  const filled = Math.round(progress.fraction * BAR);
  return `[${"#".repeat(filled)}${"-".repeat(BAR - filled)}]`;
}

function figures(p: RebuildProgress): string {
  const eta = p.etaMs === undefined ? "?" : `${Math.ceil(p.etaMs / 1000)}s`;
  return `${p.processed}/${p.total} ${Math.round(p.fraction * 100)}% ${
    Math.round(p.rate)
  } msg/s ETA ${eta}`;
}
