/**
 * Given / when / then specifications of a projection: given the events
 * already projected, when more arrive, then the view is this. The events are
 * recorded by a memory store first, so the projection sees real recorded
 * messages (ids, versions, positions). Failures throw ordo's `AssertionError`
 * with the first differing entry and a diff, under any test runner.
 *
 * @module
 */

import type { JsonMessage, MessageShape } from "../core/mod.ts";
import { record, RefusedEvent } from "./_histories.ts";
import { checkProjectionShape } from "./_options.ts";
import { AssertionError, assertSame } from "./assertion_error.ts";
import type { HistoryEventOf, ProjectionUnderTest } from "./check_projection.ts";

/** The start of a projection specification: the events already projected. */
export interface ProjectionSpec<E extends MessageShape> {
  /** Events already in the store, in append order. */
  given(events: readonly HistoryEventOf<E>[]): ProjectionGiven<E>;
}

/** A projection specification with its history; next, the new events (or none). */
export interface ProjectionGiven<E extends MessageShape> {
  /** The events that arrive next, in append order. */
  when(events: readonly HistoryEventOf<E>[]): ProjectionWhen;
  /** The view after the history alone; await it. Awaiting `given(...)` itself rejects, saying so. */
  then(expectedView: unknown): Promise<void>;
}

/** What to expect once every event was applied. */
export interface ProjectionWhen {
  /**
   * The view (or the model, without `view`) after all the events, compared
   * regardless of Map, Set and object key order. Await it: it rejects with an
   * `AssertionError` on a mismatch. Awaiting `when(...)` itself, without
   * `.then(view)` (possible under Bun or `--no-check`), rejects with an
   * `AssertionError` that says to add it.
   */
  then(expectedView: unknown): Promise<void>;
}

/** The events recorded; an event the store refuses fails with the store's own error. */
async function recorded(events: Parameters<typeof record>[0]) {
  try {
    return await record(events);
  } catch (error) {
    throw error instanceof RefusedEvent ? error.cause : error;
  }
}

/**
 * Starts given / when / then specifications of an in-memory projection: the
 * view after `init`, then each event through `apply` (a projection with only
 * `applyPage` gets them as one page), compared with the one `then` expects.
 *
 * @throws {ValidationError} at once, at `projection.<name>`, when `init` is
 *   not a function, neither `apply` nor `applyPage` is given, or one given
 *   is not a function
 *
 * @example
 * ```ts
 * import { projectionSpec } from "./projection_spec.ts";
 * type Placed = { type: "Placed"; data: { total: number } };
 * const totals = {
 *   init: () => new Map<string, number>(),
 *   apply: (model: Map<string, number>, m: { streamName: string; data: Placed["data"] }) =>
 *     void model.set(m.streamName, m.data.total),
 * };
 * await projectionSpec<Map<string, number>, Placed>(totals)
 *   .given([{ streamName: "order-1", type: "Placed", data: { total: 3 } }])
 *   .when([{ streamName: "order-2", type: "Placed", data: { total: 4 } }])
 *   .then(new Map([["order-1", 3], ["order-2", 4]]));
 * ```
 */
export function projectionSpec<Model, E extends MessageShape = JsonMessage>(
  projection: ProjectionUnderTest<Model, E>,
): ProjectionSpec<E> {
  // Refused here rather than at the first then(): a missing init read as "init is not a function".
  checkProjectionShape(projection, false, "projection");
  // The projection's message types are the caller's word: these are the given events, recorded.
  const { apply, applyPage } = projection as {
    apply?: (model: Model, message: unknown) => void | Promise<void>;
    applyPage?: (model: Model, messages: readonly unknown[]) => void | Promise<void>;
  };
  const viewAfter = async (events: readonly HistoryEventOf<E>[]) => {
    const model = projection.init();
    const messages = await recorded(events);
    // One message at a time through apply; a projection with only a page handler gets one page.
    if (apply !== undefined) { for (const m of messages) await apply.call(projection, model, m); }
    else if (messages.length > 0) await applyPage!.call(projection, model, messages);
    return projection.view === undefined ? model : projection.view(model);
  };
  const compare = async (events: readonly HistoryEventOf<E>[], expected: unknown) =>
    assertSame("The projection's view differs", expected, await viewAfter(events));
  // `await spec.given(...).when(...)` without `.then(view)` calls `then` with
  // the await's own resolve and reject: refuse it through reject, so that the
  // await settles, instead of comparing the view with a function.
  const then = (call: "given" | "when", events: readonly HistoryEventOf<E>[]) =>
    function then(expected: unknown, reject?: unknown): Promise<void> {
      if (typeof expected !== "function") return compare(events, expected);
      const written = call === "when" ? "given(...).when(...)" : "given(...)";
      const error = new AssertionError(
        `${call}(...) was awaited without .then(view): write await spec.${written}.then(expectedView)`,
        "a view given to .then(view)",
        expected,
      );
      if (typeof reject === "function") reject(error);
      const refused = Promise.reject(error);
      refused.catch(() => {}); // a direct .then(fn) gets it; an await already did, through reject
      return refused;
    };
  return {
    given: (history) => ({
      when: (events) => ({ then: then("when", [...history, ...events]) }),
      then: then("given", history),
    }),
  };
}
