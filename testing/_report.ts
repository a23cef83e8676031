// What checkProjection throws when a run failed: a report whose message holds
// everything (which check, the first difference, the shortest history, how to
// replay it), so that every test runner prints all of it.

import type * as FastCheckModule from "fast-check";
import { ValidationError } from "../core/mod.ts";
import { type Canonical, line, viewText } from "./_canonical.ts";
import { type HistoryEntry, RefusedEvent } from "./_histories.ts";
import { AssertionError, diffLines, firstDifferenceLine } from "./assertion_error.ts";

/** What the property throws when a view differs: the parts of the report. */
export class ViewMismatch extends Error {
  constructor(readonly what: string, readonly clean: Canonical, readonly got: Canonical) {
    super(`the read model after ${what} differs from one clean pass`);
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
  const shortest = [
    `  history (the shortest found, ${history.length} event(s), after ${details.numShrinks} shrinks):`,
    ...history.map((e, i) => `    ${i + 1}. ${eventLine(e)}`),
    `  replay with parameters: { seed: ${details.seed}, path: ${
      JSON.stringify(details.counterexamplePath)
    } }`,
  ].join("\n");
  const error = details.errorInstance;
  if (error instanceof ViewMismatch) {
    const report = [
      `checkProjection: ${error.message}`,
      firstDifferenceLine(error.clean, error.got),
      shortest,
      diffLines(error.clean, error.got, ["clean pass", `after ${error.what}`]),
    ].join("\n");
    return new AssertionError(report, line(error.clean), line(error.got));
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
