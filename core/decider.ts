/**
 * Deciders: the rules of one kind of stream as three pure functions. The
 * state of a stream is its messages folded with `evolve` from
 * `initialState()`; a command is decided against that state into new
 * messages (or refused by throwing). `createCommandHandler` runs them against
 * a store; `ordo/testing`'s `deciderSpec` tests them without one.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";
import type { JsonMessage, MessageInputOf, MessageShape } from "./message.ts";
import { checkFunction } from "./options.ts";

/**
 * The rules of one kind of stream. `Command` is what is asked, `State` what
 * deciding needs to know, `E` the union of message shapes the stream holds.
 * All three functions must be pure: a command handler calls them again after
 * a conflict, against the stream as it then is.
 */
export interface Decider<Command, State, E extends MessageShape = JsonMessage> {
  /** The state of a stream with no messages. */
  initialState(): State;
  /** The state after one more message: its `type` narrows its `data`. */
  evolve(state: State, message: E): State;
  /**
   * The messages `command` produces in `state`: one, several, or none (an
   * empty array: nothing to append). Throw to refuse the command; the error
   * reaches the caller as it is.
   */
  decide(command: Command, state: State): Decision<E>;
}

/** What `decide` returns: one message, or several in order (none: nothing happens). */
export type Decision<E extends MessageShape> = MessageInputOf<E> | readonly MessageInputOf<E>[];

/**
 * Folds messages into a state with a decider's `evolve`, from its initial
 * state or from `state`.
 *
 * @example
 * ```ts
 * import { foldState } from "./decider.ts";
 * const counter = {
 *   initialState: () => 0,
 *   evolve: (n: number, m: { type: "Added"; data: { by: number } }) => n + m.data.by,
 *   decide: () => [],
 * };
 * foldState(counter, [{ type: "Added", data: { by: 2 } }, { type: "Added", data: { by: 3 } }]); // 5
 * ```
 */
export function foldState<State, E extends MessageShape>(
  decider: Pick<Decider<never, State, E>, "initialState" | "evolve">,
  messages: Iterable<E>,
  state: State = decider.initialState(),
): State {
  for (const message of messages) state = decider.evolve(state, message);
  return state;
}

/**
 * A decision as a list, whatever `decide` returned.
 *
 * @example
 * ```ts
 * import { decisionList } from "./decider.ts";
 * decisionList({ type: "Added", data: { by: 2 } }); // [{ type: "Added", data: { by: 2 } }]
 * decisionList([]); // []: nothing to append
 * ```
 */
export function decisionList<E extends MessageShape>(
  decision: Decision<E>,
): readonly MessageInputOf<E>[] {
  return Array.isArray(decision) ? decision : [decision as MessageInputOf<E>];
}

/**
 * Refuses what is not a decider, naming the part that is missing. Checked
 * where a decider is given (`createCommandHandler`, `deciderSpec`): a decider
 * missing a function would otherwise throw a TypeError from inside the first
 * command, which a test's `.thenThrows(Error)` would take for the refusal.
 *
 * @throws {ValidationError} at `decider` or `decider.<name>`
 * @example
 * ```ts
 * import { checkDecider } from "./decider.ts";
 * checkDecider({ initialState: () => 0, evolve: (n: number) => n + 1, decide: () => [] });
 * try {
 *   checkDecider({ initialState: () => 0, evolve: (n: number) => n + 1 });
 * } catch (error) {
 *   (error as Error).message; // names decider.decide
 * }
 * ```
 */
export function checkDecider(decider: unknown): void {
  if (typeof decider !== "object" || decider === null) {
    throw new ValidationError(
      "decider",
      decider,
      "expected a decider { initialState, evolve, decide }",
    );
  }
  const parts = decider as Record<string, unknown>;
  for (const name of ["initialState", "evolve", "decide"]) {
    checkFunction(parts[name], `decider.${name}`);
  }
}
