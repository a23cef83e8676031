/**
 * Given / when / then specifications of a decider, without a store: given
 * the messages already in a stream, when a command is decided, then these
 * messages (or this error, or this state). They throw ordo's
 * `AssertionError` with a readable diff, so they run under `node:test`,
 * `Deno.test` and `bun test` alike.
 *
 * @module
 */

import type { Decider, MessageInputOf, MessageShape } from "../core/mod.ts";
import { checkDecider, decisionList, foldState } from "../core/mod.ts";
import { canonical, line } from "./_canonical.ts";
import { AssertionError, assertSame } from "./assertion_error.ts";

/** The start of a specification: the stream's messages before the command. */
export interface DeciderSpec<Command, State, E extends MessageShape> {
  /** The messages already in the stream, oldest first (none for a new stream). */
  given(messages: readonly E[]): DeciderGiven<Command, State, E>;
}

/** A specification with its history; next, the command. */
export interface DeciderGiven<Command, State, E extends MessageShape> {
  /** The command to decide against the folded history. */
  when(command: Command): DeciderWhen<State, E>;
}

/** What to expect of a decision. Each call decides afresh and throws an `AssertionError` on a mismatch. */
export interface DeciderWhen<State, E extends MessageShape> {
  /**
   * The messages decided, in order (`[]` for none). Their `type` and `data`
   * are compared; `id` and `metadata` too where the expected message has them.
   */
  then(expected: MessageInputOf<E> | readonly MessageInputOf<E>[]): void;
  /**
   * `decide` refuses: it throws an instance of `check`, an error whose message
   * matches `check`, or one `check` accepts; any error when `check` is absent.
   */
  thenThrows(
    check?: (abstract new (...args: never[]) => unknown) | RegExp | ((error: unknown) => boolean),
  ): void;
  /** The state after the history and the decided messages. */
  thenState(expected: State): void;
}

/**
 * Starts given / when / then specifications of `decider`.
 *
 * @example
 * ```ts
 * import { deciderSpec } from "./decider_spec.ts";
 * type Counted = { type: "Counted"; data: { to: number } };
 * const counter = {
 *   initialState: () => 0,
 *   evolve: (_: number, m: Counted) => m.data.to,
 *   decide: (by: number, n: number): Counted[] => by < 0 ? (() => { throw new RangeError("no"); })() : [{ type: "Counted", data: { to: n + by } }],
 * };
 * const spec = deciderSpec(counter);
 * spec.given([{ type: "Counted", data: { to: 2 } }]).when(3).then([{ type: "Counted", data: { to: 5 } }]);
 * spec.given([]).when(-1).thenThrows(RangeError);
 * ```
 * @throws {ValidationError} at `decider…` when it is not `{ initialState, evolve, decide }` of functions
 */
export function deciderSpec<Command, State, E extends MessageShape>(
  decider: Decider<Command, State, E>,
): DeciderSpec<Command, State, E> {
  checkDecider(decider);
  return {
    given: (history) => ({
      when: (command) => {
        const decide = () => {
          const state = foldState(decider, history);
          return { state, messages: decisionList(decider.decide(command, state)) };
        };
        return {
          then: (expected) => {
            const wanted = decisionList(expected);
            const { messages } = decide();
            const compared = messages.map((m, i) => comparable(m, wanted[i]));
            assertSame("The decided messages differ from the expected ones", wanted, compared);
          },
          thenThrows: (check) => {
            let decided: unknown;
            try {
              decided = decide().messages;
            } catch (error) {
              if (!accepts(check, error)) {
                throw new AssertionError(
                  `decide threw another error than expected: ${error}; expected ${
                    expectation(check)
                  }`,
                  check,
                  error,
                );
              }
              return;
            }
            throw new AssertionError(
              `decide did not throw; it decided ${line(canonical(decided))}`,
              "an error",
              decided,
            );
          },
          thenState: (expected) => {
            const { state, messages } = decide();
            const decided = messages as readonly MessageShape[] as readonly E[];
            assertSame("The state differs", expected, foldState(decider, decided, state));
          },
        };
      },
    }),
  };
}

// The decided message with the fields the expected one names: type and data, and id and metadata if given.
function comparable(message: object, expected: object | undefined): Record<string, unknown> {
  const fields = ["type", "data", "id", "metadata"].filter((f) =>
    f === "type" || f === "data" || (expected !== undefined && f in expected)
  );
  return Object.fromEntries(fields.map((f) => [f, (message as Record<string, unknown>)[f]]));
}

// What thenThrows was given, for the failure's message.
function expectation(check: unknown): string {
  if (check instanceof RegExp) return `a message matching ${check}`;
  if (typeof check === "function" && check.prototype !== undefined && check.name !== "") {
    return `a ${check.name}`;
  }
  return "an error the predicate accepts";
}

function accepts(
  check:
    | (abstract new (...args: never[]) => unknown)
    | RegExp
    | ((error: unknown) => boolean)
    | undefined,
  error: unknown,
): boolean {
  if (check === undefined) return true;
  if (check instanceof RegExp) {
    return check.test(error instanceof Error ? error.message : String(error));
  }
  if (check.prototype !== undefined && error instanceof (check as abstract new () => unknown)) {
    return true;
  }
  try {
    return (check as (error: unknown) => boolean)(error) === true;
  } catch {
    return false; // a class that did not match, which cannot be called without new
  }
}
