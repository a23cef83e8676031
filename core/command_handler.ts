/**
 * Runs a decider against a store: read the stream, fold it, decide, append
 * with the version that was read as the expected version, and on a conflict
 * (another writer got there first) do it all again after a backoff, a
 * bounded number of times.
 *
 * @module
 */

import { sleep } from "./_sleep.ts";
import { backoffDelay, checkRetryPolicy, type RetryPolicy } from "./consumers/mod.ts";
import { checkDecider, type Decider, decisionList, foldState } from "./decider.ts";
import { ConcurrencyError } from "./errors.ts";
import { type AppendResult, type EventStore, untypedStore } from "./event_store.ts";
import { checkExpectedVersion } from "./expected_version.ts";
import { copyJsonValue } from "./json.ts";
import type {
  ExpectedVersion,
  JsonMessage,
  MessageInput,
  MessageInputOf,
  MessageMetadata,
  MessageShape,
} from "./message.ts";
import { ValidationError } from "./errors.ts";
import { checkOptions } from "./options.ts";
import { parseStreamName } from "./stream_name.ts";
import { checkMetadata, validateExpectedVersion } from "./validate_append.ts";

/** How conflicts are retried, by default: 5 attempts in all, backoff capped at 10, 20, 40, 80 ms. */
export const DEFAULT_COMMAND_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialDelay: 10,
  maxDelay: 1000,
  multiplier: 2,
});

const OPTION_KEYS: readonly string[] = ["retry"];
// A command's retries are paced by the policy's numbers; a `delays` rule is a consumer's.
const RETRY_KEYS: readonly string[] = [
  "maxAttempts",
  "initialDelay",
  "maxDelay",
  "multiplier",
  "random",
];
const CALL_OPTION_KEYS: readonly string[] = ["signal", "expectedVersion", "metadata"];

/** Options of {@link createCommandHandler}. */
export interface CreateCommandHandlerOptions {
  /**
   * How a conflict is retried: `maxAttempts` counts every attempt, the first
   * included; between attempts a delay with full jitter. Default
   * {@link DEFAULT_COMMAND_RETRY}. `{ maxAttempts: 1 }` never retries.
   */
  readonly retry?: Omit<RetryPolicy, "delays">;
}

/** Options of one command. */
export interface HandleCommandOptions {
  /** Stops the retries: the call rejects with the signal's reason instead of waiting. */
  readonly signal?: AbortSignal;
  /**
   * The stream version the caller decided on (the version it showed its
   * user, say; Emmett's `expectedStreamVersion`): a number, `"no-stream"`,
   * `"exists"` or `"any"` (the default). Checked against the stream as read,
   * before `decide` runs: when the stream is elsewhere the call rejects with
   * a `ConcurrencyError` at once, not retried (reading again cannot bring the
   * stream back), and nothing is appended. A conflict with another writer
   * after the check is retried as usual, and the check runs again.
   */
  readonly expectedVersion?: ExpectedVersion;
  /**
   * Metadata for every message the command appends (a `correlationId`, a
   * `causationId`, a tenant): merged under each message's own metadata, so a
   * field `decide` set on a message wins.
   */
  readonly metadata?: MessageMetadata;
}

/** What handling a command did. */
export interface CommandResult<State, E extends MessageShape> {
  /** The stream's state after the new messages. */
  readonly state: State;
  /** The messages appended, as `decide` returned them (empty when it decided nothing). */
  readonly messages: readonly MessageInputOf<E>[];
  /** The append, with stream versions and global positions; `undefined` when nothing was appended. */
  readonly appended: AppendResult | undefined;
  /** Attempts made: 1, or more after conflicts. */
  readonly attempts: number;
}

/** A command handler made by {@link createCommandHandler}: handles one command against one stream. */
export type HandleCommand<Command, State, E extends MessageShape> = (
  streamName: string,
  command: Command,
  options?: HandleCommandOptions,
) => Promise<CommandResult<State, E>>;

/**
 * Makes a command handler from a decider. Each call reads the stream, folds
 * it with `evolve` from `initialState()`, calls `decide`, and appends what
 * it decided with the stream's version as `expectedVersion` (`"no-stream"`
 * for a new stream). When another writer appended in between, the append
 * fails with a `ConcurrencyError` and the handler starts over, reading the
 * stream again, after a backoff; after `retry.maxAttempts` attempts the last
 * conflict is thrown. A call's `expectedVersion` is checked against the
 * stream as read, before `decide`, and is not retried; its `metadata` goes on
 * every message it appends. The message types are the decider's; the store may
 * be typed with them, with a union that includes them, or not at all.
 *
 * @throws {ConcurrencyError} from the call, after the last attempt conflicted, or at once
 * when the stream does not match the call's `expectedVersion`
 * @throws {ValidationError} from the call, on a bad stream name, bad messages or bad call
 * options; from the factory, on a store or decider that is not one (a function of the decider
 * missing) or bad options (an unknown key too, in `options` or `options.retry`)
 * @throws whatever `decide` throws (a refusal), as it is, without retrying
 * @example
 * ```ts
 * import { createMemoryStore } from "../mod.ts";
 * import { createCommandHandler } from "./command_handler.ts";
 * import type { Decider } from "./decider.ts";
 * type CartEvent = { type: "ItemAdded"; data: { sku: string } };
 * const cart: Decider<{ add: string }, string[], CartEvent> = {
 *   initialState: () => [],
 *   evolve: (items, m) => [...items, m.data.sku],
 *   decide: (command, items) => items.includes(command.add) ? [] : [{ type: "ItemAdded", data: { sku: command.add } }],
 * };
 * const handle = createCommandHandler(createMemoryStore<CartEvent>(), cart);
 * await handle("cart-1", { add: "apple" });
 * console.log((await handle("cart-1", { add: "pear" })).state); // ["apple", "pear"]
 * ```
 */
export function createCommandHandler<Command, State, E extends MessageShape = JsonMessage>(
  store: EventStore<MessageShape>,
  decider: Decider<Command, State, E>,
  options: CreateCommandHandlerOptions = {},
): HandleCommand<Command, State, E> {
  checkStoreAndDecider(store, decider);
  checkOptions(options, OPTION_KEYS);
  checkOptions(options.retry, RETRY_KEYS, "options.retry");
  const retry = checkRetryPolicy({ ...DEFAULT_COMMAND_RETRY, ...options.retry });
  // The decider's types are the caller's word; the store holds JSON messages.
  const untyped = untypedStore(store);
  return async (streamName, command, callOptions) => {
    parseStreamName(streamName);
    const { signal, expectedVersion, metadata } = checkCallOptions(callOptions);
    for (let attempt = 1;; attempt++) {
      signal?.throwIfAborted();
      const stored = await untyped.readStream(streamName);
      const last = stored[stored.length - 1];
      checkExpectedVersion(streamName, expectedVersion, last?.streamVersion);
      const state = foldState(decider, stored as readonly MessageShape[] as readonly E[]);
      const messages = decisionList(decider.decide(command, state));
      if (messages.length === 0) return { state, messages, appended: undefined, attempts: attempt };
      try {
        const appended = await untyped.append(streamName, withMetadata(messages, metadata), {
          expectedVersion: last === undefined ? "no-stream" : last.streamVersion,
        });
        const after = foldState(
          decider,
          messages as readonly MessageShape[] as readonly E[],
          state,
        );
        return { state: after, messages, appended, attempts: attempt };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= retry.maxAttempts) throw error;
      }
      if (!(await sleep(backoffDelay(retry, attempt), signal))) signal?.throwIfAborted();
    }
  };
}

/** A call's options, checked: the expected version defaulted to `"any"`, the metadata copied. */
function checkCallOptions(options: HandleCommandOptions | undefined): {
  readonly signal?: AbortSignal;
  readonly expectedVersion: ExpectedVersion;
  readonly metadata?: MessageMetadata;
} {
  const { signal, expectedVersion, metadata } = checkOptions(
    options,
    CALL_OPTION_KEYS,
  ) as HandleCommandOptions;
  return {
    signal,
    expectedVersion: expectedVersion === undefined
      ? "any"
      : validateExpectedVersion(expectedVersion, "options.expectedVersion"),
    // Checked here, at the caller's path, not at the first append's messages[0].metadata;
    // copied so that the caller changing it during the retries changes nothing.
    metadata: metadata === undefined ? undefined : copyJsonValue(
      checkMetadata(metadata, "options"),
      "options.metadata",
    ) as MessageMetadata,
  };
}

/** The call's metadata under each message's own. */
function withMetadata(
  messages: readonly MessageInput[],
  metadata: MessageMetadata | undefined,
): readonly MessageInput[] {
  if (metadata === undefined) return messages;
  return messages.map((message) => ({
    ...message,
    metadata: { ...metadata, ...message.metadata },
  }));
}

// Checked once, here, so that a decider missing a function (or the two
// arguments swapped) is refused when the handler is made, naming what is
// missing, not as a TypeError from inside the first command.
function checkStoreAndDecider(store: unknown, decider: unknown): void {
  const calls = store as Partial<Record<"readStream" | "append", unknown>> | null;
  if (
    typeof store !== "object" || calls === null || typeof calls.readStream !== "function" ||
    typeof calls.append !== "function"
  ) {
    throw new ValidationError(
      "store",
      store,
      "expected an EventStore (createMemoryStore(), createPostgresStore(sql), …) as the first argument, the decider second",
    );
  }
  checkDecider(decider);
}
