// What checkProjection throws when a run failed: a report whose message holds
// everything (which check, the first difference, the shortest history, how to
// replay it), so that every test runner prints all of it.

import type * as FastCheckModule from "fast-check";
import { ValidationError } from "../core/mod.ts";
import { type Canonical, line, viewText } from "./_canonical.ts";
import { type HistoryEntry, RefusedEvent } from "./_histories.ts";
import { ProjectionHung } from "./_settles.ts";
import { AssertionError, diffLines, firstDifferenceLine } from "./assertion_error.ts";

/** A check the property runs: a key of `options.checks`, or `pages` for a page handler. */
export type CheckName = "duplicates" | "interleavings" | "pages" | "crashes";

/** What each check does to the deliveries, as a report names it, and what to change when it fails. */
const CHECKS: Readonly<Record<CheckName, { readonly what: string; readonly change: string }>> = {
  duplicates: {
    what: "duplicated deliveries",
    change: "make apply idempotent: a message delivered again must change nothing; remember " +
      "the last stream version applied per stream, say, and skip a message whose version is " +
      "not newer",
  },
  interleavings: {
    what: "another interleaving of streams",
    change: "keep the read model independent of the order of different streams' messages, " +
      "which consumer groups and a category read across partitions change; a projection only " +
      "ever run by one consumer reading in global order can leave this check out: " +
      "checks: { interleavings: false }",
  },
  pages: {
    what: "pages cut at random",
    change: "make applyPage give the read model apply gives one message at a time, whichever " +
      "pages the messages come in",
  },
  crashes: {
    what: "crashes and restarts of a consumer",
    change: "a crash between the handler and its checkpoint delivers the message again: " +
      "commit the read model and every other effect with the checkpoint (through the " +
      "handler's tx), or make apply idempotent",
  },
};

/** `  what to change: …`, wrapped at about 100 columns, later lines indented under it. */
function changeLines(check: CheckName): string {
  const lines = ["  what to change:"];
  // Words, and code in braces whole: `checks: { interleavings: false }` is not cut.
  for (const word of CHECKS[check].change.split(/ (?![^{]*\})/)) {
    const last = lines.length - 1;
    if (lines[last].length + 1 + word.length > 100) lines.push(`    ${word}`);
    else lines[last] += ` ${word}`;
  }
  return lines.join("\n");
}

/** What the property throws when a view differs: the parts of the report. */
export class ViewMismatch extends Error {
  constructor(readonly check: CheckName, readonly clean: Canonical, readonly got: Canonical) {
    super(`the read model after ${CHECKS[check].what} differs from one clean pass`);
  }
}

/**
 * What the property throws when the projection threw, or hung (its error is
 * a `ProjectionHung`): where, and its error (the `cause`).
 */
export class ProjectionThrew extends Error {
  constructor(readonly check: CheckName | "clean", options: { cause: unknown }) {
    super(
      options.cause instanceof ProjectionHung
        ? `the projection hung: ${options.cause.message}`
        : `the projection threw: ${String(options.cause)}`,
      options,
    );
  }

  /** Whether a call never settled, rather than threw. */
  get hung(): boolean {
    return this.cause instanceof ProjectionHung;
  }
}

/** One event of a history as a report shows it. */
function eventLine(e: HistoryEntry): string {
  const metadata = e.metadata === undefined ? "" : ` ${shown(e.metadata)}`;
  return `${e.streamName} ${e.type} ${shown(e.data)}${metadata}`;
}

/** JSON as written, or, for what JSON cannot hold (a bigint, a cycle, `undefined`), its canonical line. */
function shown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? viewText(value);
  } catch {
    return viewText(value);
  }
}

/**
 * The error that reports a failed run: an `AssertionError`, or a
 * `ValidationError` at `options.events` (the arbitrary, `events`) when the
 * store refused an event of the history.
 */
export function failure(
  details: FastCheckModule.RunDetails<unknown>,
  events: unknown,
): AssertionError | ValidationError {
  const [history] = (details.counterexample ?? [[]]) as [readonly HistoryEntry[]];
  const error = details.errorInstance;
  const hung = error instanceof ProjectionThrew && error.hung;
  const shortest = [
    hung
      // checkProjection passes every run after a hang, so fast-check keeps the case that hung.
      ? `  history (not shrunk: each try would wait for the deadline again, ${history.length} event(s)):`
      : `  history (the shortest found, ${history.length} event(s), after ${details.numShrinks} shrinks):`,
    ...history.map((e, i) => `    ${i + 1}. ${eventLine(e)}`),
    `  replay with parameters: { seed: ${details.seed}, path: ${
      JSON.stringify(details.counterexamplePath)
    } }`,
  ].join("\n");
  if (error instanceof ViewMismatch) {
    const { what } = CHECKS[error.check];
    const report = [
      `checkProjection: ${error.message}`,
      firstDifferenceLine(error.clean, error.got),
      changeLines(error.check),
      shortest,
      diffLines(error.clean, error.got, ["clean pass", `after ${what}`]),
    ].join("\n");
    return new AssertionError(report, line(error.clean), line(error.got));
  }
  if (error instanceof ProjectionThrew) {
    const did = hung ? "hung" : "threw";
    const where = error.check === "clean"
      ? [`  it ${did} in one clean pass of the history, each message once, in order`]
      : [
        `  it ${did} under ${CHECKS[error.check].what}`,
        // What to change for a check is about the read model; a hang is about the call.
        ...(hung ? [] : [changeLines(error.check)]),
      ];
    const report = [`checkProjection: ${error.message}`, ...where, shortest].join("\n");
    return new AssertionError(report, undefined, error.cause, { cause: error.cause });
  }
  if (error instanceof RefusedEvent) {
    // Not the projection's fault: it never ran. The arbitrary is what to change.
    const reason = [
      "it generated an event the store refuses, so no check ran",
      `  event ${error.index + 1} of the history: ${eventLine(error.event)}`,
      `  the store said: ${String(error.cause)}`,
      "  change the arbitrary so that every event it generates is one the store accepts",
      shortest,
    ].join("\n");
    return new ValidationError("options.events", events, reason, { cause: error.cause });
  }
  const report = `checkProjection: the projection threw: ${String(error)}\n${shortest}`;
  return new AssertionError(report, undefined, error, { cause: error });
}
