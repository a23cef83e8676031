/**
 * The EventStoreDB / KurrentDB event store: the `EventStore` port over an
 * `@eventstore/db-client` client the caller passes in. The mapping itself
 * (versions, positions, names, events, errors, the id index) lives in pure
 * functions beside this file; this class only sequences client calls.
 * docs/decisions/eventstoredb.md says why each choice was made.
 *
 * @module
 */

import type { Position, ReadPosition, RecordedEvent } from "@eventstore/db-client";
import {
  type AppendLimits,
  type AppendOptions,
  type AppendResult,
  categoryOf,
  type CheckedReadGlobalOptions,
  type DeferredAppendOptions,
  type EventStore,
  type Message,
  type MessageInput,
  parseStreamName,
  PositionWaiters,
  type ReadGlobalOptions,
  type ReadStreamOptions,
  type RecordedMessage,
  resolveAppendRetry,
  StoreUnavailableError,
  type StreamInfo,
  validateAppendOptions,
  validateCategory,
  validateMessages,
  validateReadGlobalOptions,
  validateReadStreamOptions,
  type WaitOptions,
} from "../../core/mod.ts";
import { type EventStoreDbClient, type LiveSubscription, validateClient } from "./client.ts";
import {
  refuseDeno,
  type UnsupportedRuntimePolicy,
  validateUnsupportedRuntime,
} from "./deno_refusal.ts";
import { toEventData, toRecordedMessage } from "./event_mapping.ts";
import { toAppendOptions } from "./expected_revision.ts";
import { readStartFor, toGlobalPosition } from "./global_position.ts";
import {
  fromIndexEvent,
  type IndexEntry,
  isSameBatch,
  rangesToConfirm,
  storedPositions,
  toIndexEvent,
} from "./id_index.ts";
import {
  pageSizeFor,
  subscriptionFilter,
  toReadAllOptions,
  toReadStreamOptions,
} from "./read_options.ts";
import {
  idIndexStream,
  type StreamNaming,
  streamNaming,
  toEventStoreStream,
  validateNamespace,
} from "./stream_names.ts";
import { isStreamNotFound, isWrongExpectedVersion, translateError } from "./translate_error.ts";

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
export function createEventStoreDbStore(
  client: EventStoreDbClient,
  options: CreateEventStoreDbStoreOptions = {},
): EventStore {
  const checked = validateClient(client);
  const naming = streamNaming(validateNamespace(options.namespace));
  refuseDeno(validateUnsupportedRuntime(options.unsupportedRuntime));
  return new EventStoreDbStore(checked, naming, options);
}

const SCAN_PAGE = 256;

class EventStoreDbStore implements EventStore {
  readonly #client: EventStoreDbClient;
  readonly #naming: StreamNaming;
  readonly #limits: AppendLimits;
  readonly #resubscribeDelay: number;
  readonly #waiters = new PositionWaiters();
  // Newest position of this store's messages known to this process.
  #knownHead = 0n;
  // The last backward scan of $all: the newest event it met (any stream) and the head it found.
  #lastScan: { readonly newest: bigint; readonly head: bigint } | undefined;
  #following: Promise<void> | undefined;
  #subscription: LiveSubscription | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    client: EventStoreDbClient,
    naming: StreamNaming,
    options: CreateEventStoreDbStoreOptions,
  ) {
    this.#client = client;
    this.#naming = naming;
    this.#limits = options;
    this.#resubscribeDelay = options.resubscribeDelay ?? 1000;
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
      const earlier = await this.#findStored(checked);
      if (earlier !== undefined) {
        const retry = resolveAppendRetry(
          streamName,
          checked,
          storedPositions(checked, earlier.found),
        );
        if (retry !== undefined) {
          await this.#writeIndex(
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
            : await this.#readRange(streamName, probe, checked.length);
          if (isSameBatch(checked, stored)) {
            return await this.#finish(streamName, checked, stored, true);
          }
        }
        throw translateError(error, "append", { streamName, expectedVersion: expected });
      }
      const first = Number(nextRevision) - checked.length + 1;
      const stored = await this.#readRange(streamName, first, checked.length);
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
    await this.#writeIndex(streamName, checked, positions);
    const last = positions[positions.length - 1];
    this.#seen(last.globalPosition);
    return {
      streamName,
      streamVersion: last.streamVersion,
      globalPosition: last.globalPosition,
      positions,
      deduplicated,
    };
  }

  // Reads the index entries of a batch and confirms them; `undefined` when no id is indexed.
  async #findStored(
    checked: readonly Message[],
  ): Promise<{ found: RecordedMessage[]; indexed: boolean[] } | undefined> {
    const entries = await Promise.all(checked.map((m) => this.#readIndexEntry(m.id)));
    if (entries.every((entry) => entry === undefined)) return undefined;
    const found: RecordedMessage[] = [];
    for (const [stream, range] of rangesToConfirm(entries, checked.length)) {
      found.push(...await this.#readRange(stream, range.from, range.count));
    }
    return { found, indexed: entries.map((entry) => entry !== undefined) };
  }

  async #readIndexEntry(id: string): Promise<IndexEntry | undefined> {
    try {
      const events = await collect(
        this.#client.readStream(idIndexStream(this.#naming, id), {
          fromRevision: "start",
          maxCount: 1,
        }),
      );
      return fromIndexEvent(events[0]?.event);
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw error;
    }
  }

  // Records in the id index where each message is stored (all in `streamName`).
  async #writeIndex(
    streamName: string,
    messages: readonly Message[],
    positions: readonly { id: string; streamVersion: number }[],
  ): Promise<void> {
    const versions = new Map(positions.map((p) => [p.id, p.streamVersion]));
    await Promise.all(messages.map(async (m) => {
      const streamVersion = versions.get(m.id);
      if (streamVersion === undefined) return;
      try {
        await this.#client.appendToStream(
          idIndexStream(this.#naming, m.id),
          toIndexEvent(m.id, { streamName, streamVersion }),
          toAppendOptions("no-stream"),
        );
      } catch (error) {
        // Already indexed (by an earlier attempt, or a concurrent writer): the first entry stands.
        if (!isWrongExpectedVersion(error)) throw error;
      }
    }));
  }

  // Messages of one ordo stream from `from`, at most `count`; empty when the stream does not exist.
  async #readRange(streamName: string, from: number, count: number): Promise<RecordedMessage[]> {
    try {
      const events = await collect(
        this.#client.readStream(toEventStoreStream(this.#naming, streamName), {
          direction: "forwards",
          fromRevision: BigInt(from),
          maxCount: count,
        }),
      );
      return this.#messages(events.map((resolved) => resolved.event));
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readStream");
    parseStreamName(streamName);
    const checked = validateReadStreamOptions(options);
    try {
      const events = await collect(
        this.#client.readStream(
          toEventStoreStream(this.#naming, streamName),
          toReadStreamOptions(checked),
        ),
      );
      return this.#messages(events.map((resolved) => resolved.event));
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw translateError(error, "readStream");
    }
  }

  async readCategory(category: string, options?: ReadGlobalOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readCategory");
    validateCategory(category);
    return await this.#readGlobal("readCategory", validateReadGlobalOptions(options), category);
  }

  async readAll(options?: ReadGlobalOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readAll");
    return await this.#readGlobal("readAll", validateReadGlobalOptions(options), undefined);
  }

  // Walks $all forward in pages, keeping this store's messages that match.
  async #readGlobal(
    operation: string,
    options: CheckedReadGlobalOptions,
    category: string | undefined,
  ): Promise<RecordedMessage[]> {
    const { limit, types } = options;
    const pageSize = pageSizeFor(limit);
    const result: RecordedMessage[] = [];
    let start: ReadPosition = readStartFor(options.from);
    let below = options.from; // positions under this are skipped: the event a read starts at may precede `from`
    try {
      for (;;) {
        const page = await collect(
          this.#client.readAll(toReadAllOptions(start, "forward", pageSize)),
        );
        let last: Position | undefined;
        for (const { event } of page) {
          if (event === undefined) continue;
          last = event.position;
          const position = positionOf(event);
          if (position === undefined || position < below) continue;
          below = position + 1n;
          const message = this.#message(event);
          if (message === undefined) continue;
          if (category !== undefined && categoryOf(message.streamName) !== category) continue;
          if (types !== undefined && !types.includes(message.type)) continue;
          result.push(message);
          if (result.length === limit) return result;
        }
        if (page.length < pageSize || last === undefined) return result;
        start = last;
      }
    } catch (error) {
      throw translateError(error, operation);
    }
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
      return (await this.#scanHead()).head;
    } catch (error) {
      throw translateError(error, "headPosition");
    }
  }

  // Reads $all backward from its end to the newest message of this store, or
  // down to where the last scan began (nothing older can be newer than its head).
  async #scanHead(): Promise<{ head: bigint; newest: ReadPosition }> {
    const stopAt = this.#lastScan?.newest ?? 0n;
    let from: ReadPosition = "end";
    let newest: { position: bigint; raw: Position } | undefined;
    let below: bigint | undefined;
    const finish = (head: bigint): { head: bigint; newest: ReadPosition } => {
      const found = head > this.#knownHead ? head : this.#knownHead;
      if (newest !== undefined) this.#lastScan = { newest: newest.position, head: found };
      this.#seen(found);
      return { head: found, newest: newest === undefined ? "start" : newest.raw };
    };
    for (;;) {
      const page = await collect(
        this.#client.readAll(toReadAllOptions(from, "backward", SCAN_PAGE)),
      );
      let last: Position | undefined;
      for (const { event } of page) {
        if (event === undefined) continue;
        last = event.position;
        const position = positionOf(event);
        if (position === undefined || (below !== undefined && position >= below)) continue;
        below = position;
        newest ??= { position, raw: event.position! };
        if (position <= stopAt) return finish(this.#lastScan?.head ?? 0n);
        const message = this.#message(event);
        if (message !== undefined) return finish(message.globalPosition);
      }
      if (page.length < SCAN_PAGE || last === undefined) return finish(0n);
      from = last;
    }
  }

  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    const waiting = this.#waiters.wait(after, this.#knownHead, options);
    if (this.#waiters.size > 0) this.#follow();
    return waiting;
  }

  // Opens the live subscription that wakes waiters, once: it starts right
  // after the newest $all event the head scan met, so no append is missed.
  #follow(): void {
    if (this.#following !== undefined || this.#closed) return;
    this.#following = this.#subscribe().catch(() => this.#retryLater());
  }

  async #subscribe(): Promise<void> {
    const { newest } = await this.#scanHead();
    if (this.#closed) return;
    const subscription = this.#client.subscribeToAll({
      fromPosition: newest,
      filter: subscriptionFilter(this.#naming),
    });
    this.#subscription = subscription;
    subscription.on("data", (resolved) => {
      if (resolved.event === undefined) return;
      try {
        const message = this.#message(resolved.event);
        if (message !== undefined) this.#seen(message.globalPosition);
      } catch { /* an event ordo cannot number wakes no one */ }
    });
    const dropped = () => {
      if (this.#subscription !== subscription) return;
      this.#subscription = undefined;
      this.#retryLater();
    };
    subscription.on("error", dropped);
    subscription.on("end", dropped);
  }

  #retryLater(): void {
    this.#following = undefined;
    if (this.#closed || this.#waiters.size === 0 || this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#waiters.size > 0) this.#follow();
    }, this.#resubscribeDelay);
  }

  #seen(position: bigint): void {
    if (position <= this.#knownHead) return;
    this.#knownHead = position;
    this.#waiters.notify(position);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiters.close();
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.unsubscribe().catch(() => {});
  }

  #message(event: RecordedEvent): RecordedMessage | undefined {
    return toRecordedMessage(event, this.#naming);
  }

  #messages(events: readonly (RecordedEvent | undefined)[]): RecordedMessage[] {
    const messages: RecordedMessage[] = [];
    for (const event of events) {
      const message = event === undefined ? undefined : this.#message(event);
      if (message !== undefined) messages.push(message);
    }
    return messages;
  }

  #ensureOpen(operation: string): void {
    if (this.#closed) throw new StoreUnavailableError(operation, "the store is closed");
  }
}

// The ordo position of any $all event; `undefined` for one ordo cannot number
// (no position reported, or written in an explicit transaction), which is then skipped.
function positionOf(event: RecordedEvent): bigint | undefined {
  try {
    return toGlobalPosition(event.position);
  } catch {
    return undefined;
  }
}

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}
