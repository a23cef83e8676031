/**
 * The EventStoreDB / KurrentDB event store: the `EventStore` port over an
 * `@eventstore/db-client` client the caller passes in. The mapping itself
 * (versions, positions, names, events, errors, the id index) lives in pure
 * functions beside this file; this class only sequences client calls, with
 * reads in `_reads.ts`, the id index's entries in `_id_index_store.ts` and
 * the head and waiting readers in `_head_follower.ts`.
 * docs/decisions/eventstoredb.md says why each choice was made.
 *
 * @module
 */

import {
  type AppendLimits,
  type AppendOptions,
  type AppendResult,
  checkAppendLimits,
  checkLogger,
  checkOptions,
  checkPositiveNumber,
  CloseGate,
  consoleLogger,
  type DeferredAppendOptions,
  type EventStore,
  instrumentStore,
  type JsonMessage,
  type Logger,
  type Message,
  type MessageInput,
  type MessageIterable,
  type MessagePage,
  type MessageShape,
  pageOf,
  parseStreamName,
  type ReadGlobalOptions,
  readInPages,
  type ReadPageOptions,
  type ReadStreamOptions,
  type RecordedMessage,
  resolveAppendRetry,
  type StreamInfo,
  type Telemetry,
  validateAppendOptions,
  validateMessages,
  validateReadPageOptions,
  validateReadStreamOptions,
  type WaitOptions,
} from "../../core/mod.ts";
import { type EventStoreDbClient, validateClient } from "./client.ts";
import {
  refuseDeno,
  type UnsupportedRuntimePolicy,
  validateUnsupportedRuntime,
} from "./deno_refusal.ts";
import { toEventData } from "./event_mapping.ts";
import { toAppendOptions } from "./expected_revision.ts";
import { isSameBatch, storedPositions } from "./id_index.ts";
import {
  type StreamNaming,
  streamNaming,
  toEventStoreStream,
  validateNamespace,
} from "./stream_names.ts";
import { isWrongExpectedVersion, translateError } from "./translate_error.ts";
import { HeadFollower } from "./_head_follower.ts";
import { IdIndexStore } from "./_id_index_store.ts";
import { EsdbReads } from "./_reads.ts";

/** Options of {@link createEventStoreDbStore}. */
export interface CreateEventStoreDbStoreOptions extends AppendLimits {
  /**
   * Keeps this store's streams apart from everything else on the server:
   * ordo stream `order-1` is stored as `<namespace>/order-1`, and reads,
   * `headPosition` and waits see only the namespace. Default: none (ordo
   * names are EventStoreDB names, and every non-system stream named
   * `category-id` is visible).
   */
  readonly namespace?: string;
  /** Milliseconds before re-opening a dropped live subscription while readers wait. Default 1000. */
  readonly resubscribeDelay?: number;
  /**
   * On Deno, where the clients crash the process when the server goes away
   * (see `deno_refusal.ts`), the store refuses to be created: `"refuse"`, the
   * default. `"allow"` creates it anyway, for a process that can bear that
   * crash (a test, a server that never restarts).
   */
  readonly unsupportedRuntime?: UnsupportedRuntimePolicy;
  /**
   * Where appends and reads report spans and metrics, as `eventstoredb`;
   * consumers and transports built on the store inherit it. Default: none.
   */
  readonly telemetry?: Telemetry;
  /**
   * Where the store reports a dropped live subscription it re-opens, and what
   * is built on it (consumers) reports unless given its own. Default: the console.
   */
  readonly logger?: Logger;
}

const OPTION_KEYS: readonly string[] = [
  "namespace",
  "resubscribeDelay",
  "unsupportedRuntime",
  "maxMessageSize",
  "maxBatchSize",
  "logger",
  "telemetry",
];

/**
 * Creates an event store over an EventStoreDB / KurrentDB client. The caller
 * owns the client: `close()` releases the store's subscription, not the client,
 * once the calls in flight have finished; every call after it rejects with
 * `ClosedError`.
 *
 * @throws {ValidationError} when `client` is not an `@eventstore/db-client`
 *   or `@kurrent/kurrentdb-client` client, or when an option is not valid or unknown
 * @throws {UnsupportedRuntimeError} on Deno (unless `unsupportedRuntime: "allow"`),
 *   whose node:http2 crashes the process when the server goes away
 * @example
 * ```ts ignore
 * import { EventStoreDBClient } from "@eventstore/db-client";
 * import { createEventStoreDbStore } from "./eventstoredb_store.ts";
 * const client = EventStoreDBClient.connectionString("esdb://localhost:2113?tls=false");
 * const store = createEventStoreDbStore(client, { namespace: "shop" });
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * ```
 */
export function createEventStoreDbStore<E extends MessageShape = JsonMessage>(
  client: EventStoreDbClient,
  options: CreateEventStoreDbStoreOptions = {},
): EventStore<E> {
  checkOptions(options, OPTION_KEYS);
  const checked = validateClient(client);
  const naming = streamNaming(validateNamespace(options.namespace));
  refuseDeno(validateUnsupportedRuntime(options.unsupportedRuntime));
  // The types are the caller's word: the store holds JSON messages of any type.
  const store = new EventStoreDbStore(checked, naming, options) as EventStore as EventStore<E>;
  return options.telemetry === undefined
    ? store
    : instrumentStore(store, { telemetry: options.telemetry, name: "eventstoredb" });
}

class EventStoreDbStore implements EventStore {
  readonly logger: Logger;
  readonly #client: EventStoreDbClient;
  readonly #naming: StreamNaming;
  readonly #limits: AppendLimits;
  readonly #reads: EsdbReads;
  readonly #index: IdIndexStore;
  readonly #head: HeadFollower;
  readonly #gate = new CloseGate("store");

  constructor(
    client: EventStoreDbClient,
    naming: StreamNaming,
    options: CreateEventStoreDbStoreOptions,
  ) {
    this.#client = client;
    this.#naming = naming;
    this.#limits = checkAppendLimits(options);
    this.logger = checkLogger(options.logger, "options.logger", consoleLogger);
    const resubscribeDelay = checkPositiveNumber(
      options.resubscribeDelay,
      "options.resubscribeDelay",
      1000,
      "milliseconds",
    );
    this.#reads = new EsdbReads(client, naming);
    this.#index = new IdIndexStore(client, naming, this.#reads);
    this.#head = new HeadFollower(client, naming, resubscribeDelay, this.logger);
  }

  async append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<AppendResult> {
    this.#gate.ensureOpen("append");
    parseStreamName(streamName);
    const expected = validateAppendOptions(options).expectedVersion;
    const checked = validateMessages(messages, this.#limits);
    return await this.#gate.run("append", () => this.#append(streamName, checked, expected));
  }

  async #append(
    streamName: string,
    checked: Message[],
    expected: ReturnType<typeof validateAppendOptions>["expectedVersion"],
  ): Promise<AppendResult> {
    try {
      const earlier = await this.#index.find(checked);
      if (earlier !== undefined) {
        const retry = resolveAppendRetry(
          streamName,
          checked,
          storedPositions(checked, earlier.found),
        );
        if (retry !== undefined) {
          await this.#index.write(
            streamName,
            checked.filter((_, i) => !earlier.indexed[i]),
            retry.positions,
          );
          return retry;
        }
      }
      let nextRevision: bigint;
      try {
        const written = await this.#client.appendToStream(
          toEventStoreStream(this.#naming, streamName),
          checked.map(toEventData),
          toAppendOptions(expected),
        );
        nextRevision = written.nextExpectedRevision;
      } catch (error) {
        if (isWrongExpectedVersion(error)) {
          // An earlier attempt of this append may have been stored without its index entries.
          const probe = typeof expected === "number"
            ? expected + 1
            : expected === "no-stream"
            ? 0
            : undefined;
          const stored = probe === undefined
            ? []
            : await this.#reads.range(streamName, probe, checked.length);
          if (isSameBatch(checked, stored)) {
            return await this.#finish(streamName, checked, stored, true);
          }
        }
        throw translateError(error, "append", { streamName, expectedVersion: expected });
      }
      const first = Number(nextRevision) - checked.length + 1;
      const stored = await this.#reads.range(streamName, first, checked.length);
      if (!isSameBatch(checked, stored)) {
        throw new Error(
          `Cannot confirm the append to stream "${streamName}": versions ${first} to ${nextRevision} hold other messages`,
        );
      }
      return await this.#finish(streamName, checked, stored, false);
    } catch (error) {
      throw translateError(error, "append");
    }
  }

  async #finish(
    streamName: string,
    checked: readonly Message[],
    stored: readonly RecordedMessage[],
    deduplicated: boolean,
  ): Promise<AppendResult> {
    const positions = stored.map((m) => ({
      id: m.id,
      streamVersion: m.streamVersion,
      globalPosition: m.globalPosition,
    }));
    await this.#index.write(streamName, checked, positions);
    const last = positions[positions.length - 1];
    this.#head.seen(last.globalPosition);
    return {
      streamName,
      streamVersion: last.streamVersion,
      globalPosition: last.globalPosition,
      positions,
      deduplicated,
    };
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessage[]> {
    this.#gate.ensureOpen("readStream");
    parseStreamName(streamName);
    const checked = validateReadStreamOptions(options);
    return await this.#gate.run("readStream", () => this.#reads.stream(streamName, checked));
  }

  async readPage(options?: ReadPageOptions): Promise<MessagePage> {
    this.#gate.ensureOpen("readPage");
    const checked = validateReadPageOptions(options);
    return await this.#gate.run(
      "readPage",
      async () =>
        pageOf(await this.#reads.global("readPage", checked), checked.from, checked.limit),
    );
  }

  readCategory(category: string, options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, category, options, { readAhead: true });
  }

  readAll(options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, undefined, options, { readAhead: true });
  }

  async getStreamInfo(streamName: string): Promise<StreamInfo> {
    this.#gate.ensureOpen("getStreamInfo");
    parseStreamName(streamName);
    const checked = validateReadStreamOptions({ direction: "backward", limit: 1 });
    const [last] = await this.#gate.run(
      "getStreamInfo",
      () => this.#reads.stream(streamName, checked),
    );
    return { streamName, version: last?.streamVersion, globalPosition: last?.globalPosition };
  }

  headPosition(): Promise<bigint> {
    return this.#gate.run("headPosition", async () => {
      try {
        return (await this.#head.scan()).head;
      } catch (error) {
        throw translateError(error, "headPosition");
      }
    });
  }

  // Not counted in flight: a wait can last forever, and close() ends it (false).
  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    if (this.#gate.closed) return this.#gate.refuse("waitForAppend");
    return this.#head.waitForAppend(after, options);
  }

  close(): Promise<void> {
    return this.#gate.close(() => this.#head.close());
  }
}
