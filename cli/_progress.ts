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

/** Draws or logs progress for one rebuild. */
export class ProgressReport {
  readonly #io: CliIo;
  readonly #group: string;
  readonly #quiet: boolean;
  #last = 0;

  constructor(io: CliIo, group: string, quiet: boolean) {
    this.#io = io;
    this.#group = group;
    this.#quiet = quiet;
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
    const stopped = this.#io.signal.aborted ? "stopped at" : "rebuilt up to";
    // Parked messages are missing from the read model: say so on the line people read last.
    const parked = progress.parked === 0
      ? ""
      : `, ${progress.parked} parked: see ordo parked ${this.#group}`;
    this.#io.err(
      `Group "${this.#group}" ${stopped} position ${progress.position}: ${progress.processed} messages in ${seconds} s (${
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
