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
  type DeferredAppendOptions,
  type EventStore,
  type JsonMessage,
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
  StoreUnavailableError,
  type StreamInfo,
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
}

/**
 * Creates an event store over an EventStoreDB / KurrentDB client. The caller
 * owns the client: `close()` releases the store's subscription, not the client.
 *
 * @throws {ValidationError} when `client` is not an `@eventstore/db-client`
 *   or `@kurrent/kurrentdb-client` client, or when an option is not valid
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
  const checked = validateClient(client);
  const naming = streamNaming(validateNamespace(options.namespace));
  refuseDeno(validateUnsupportedRuntime(options.unsupportedRuntime));
  // The types are the caller's word: the store holds JSON messages of any type.
  return new EventStoreDbStore(checked, naming, options) as EventStore as EventStore<E>;
}

class EventStoreDbStore implements EventStore {
  readonly #client: EventStoreDbClient;
  readonly #naming: StreamNaming;
  readonly #limits: AppendLimits;
  readonly #reads: EsdbReads;
  readonly #index: IdIndexStore;
  readonly #head: HeadFollower;
  #closed = false;

  constructor(
    client: EventStoreDbClient,
    naming: StreamNaming,
    options: CreateEventStoreDbStoreOptions,
  ) {
    this.#client = client;
    this.#naming = naming;
    this.#limits = options;
    this.#reads = new EsdbReads(client, naming);
    this.#index = new IdIndexStore(client, naming, this.#reads);
    this.#head = new HeadFollower(client, naming, options.resubscribeDelay ?? 1000);
  }

  async append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<AppendResult> {
    this.#ensureOpen("append");
    parseStreamName(streamName);
    const expected = validateAppendOptions(options).expectedVersion;
    const checked = validateMessages(messages, this.#limits);
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
    this.#ensureOpen("readStream");
    parseStreamName(streamName);
    return await this.#reads.stream(streamName, validateReadStreamOptions(options));
  }

  async readPage(options?: ReadPageOptions): Promise<MessagePage> {
    this.#ensureOpen("readPage");
    const checked = validateReadPageOptions(options);
    return pageOf(await this.#reads.global("readPage", checked), checked.from, checked.limit);
  }

  readCategory(category: string, options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, category, options);
  }

  readAll(options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, undefined, options);
  }

  async getStreamInfo(streamName: string): Promise<StreamInfo> {
    this.#ensureOpen("getStreamInfo");
    parseStreamName(streamName);
    const [last] = await this.readStream(streamName, { direction: "backward", limit: 1 });
    return { streamName, version: last?.streamVersion, globalPosition: last?.globalPosition };
  }

  async headPosition(): Promise<bigint> {
    this.#ensureOpen("headPosition");
    try {
      return (await this.#head.scan()).head;
    } catch (error) {
      throw translateError(error, "headPosition");
    }
  }

  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    return this.#head.waitForAppend(after, options);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#head.close();
  }

  #ensureOpen(operation: string): void {
    if (this.#closed) throw new StoreUnavailableError(operation, "the store is closed");
  }
}
