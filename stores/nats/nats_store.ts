/**
 * The NATS JetStream event store: the `EventStore` port over a NATS
 * connection the caller passes in. One JetStream stream holds every ordo
 * stream as a subject, one record (JetStream message) per append; a second
 * stream indexes message ids. The mapping lives in the files beside this one;
 * this class sequences calls. docs/decisions/nats.md says why each choice was
 * made and what JetStream 2.9 cannot give.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import {
  type AppendOptions,
  type AppendResult,
  type CategorySummary,
  CloseGate,
  type CountMessagesOptions,
  type DeferredAppendOptions,
  type EventStore,
  instrumentStore,
  type JsonMessage,
  type ListStreamsOptions,
  type Logger,
  type MessageInput,
  type MessageIterable,
  type MessagePage,
  type MessageShape,
  parseStreamName,
  type ReadGlobalOptions,
  readInPages,
  type ReadPageOptions,
  type ReadStreamOptions,
  type RecordedMessage,
  type RecordedMessageOf,
  type StreamInfo,
  type StreamPage,
  type Telemetry,
  validateAppendOptions,
  validateMessages,
  validateReadPageOptions,
  validateReadStreamOptions,
  type WaitOptions,
} from "../../core/mod.ts";
import { appendBatch, type AppendContext } from "./_append.ts";
import { NatsBrowser } from "./_browse.ts";
import { decodeRecord, toGlobalPosition } from "./batch_record.ts";
import {
  ConnectionWatch,
  JetStreamApi,
  Puller,
  replicasRefused,
  textOf,
  translateError,
  translateSetupError,
  validateDriver,
} from "./jetstream/mod.ts";
import { LiveHead } from "./_live_head.ts";
import { IdIndex } from "./id_index.ts";
import { PageReader } from "./_page_reader.ts";
import type { RecordSource } from "./_scan.ts";
import {
  type CheckedNatsStoreOptions,
  type CreateNatsStoreOptions,
  storeStreams,
  validateNatsStoreOptions,
} from "./store_options.ts";
import { StreamHeads } from "./stream_heads.ts";
import { StreamReader } from "./_stream_reader.ts";
import { type StoreSubjects, storeSubjects } from "./subjects.ts";

/** The NATS store: the `EventStore` port, and the set-up of its streams. */
export interface NatsEventStore<E extends MessageShape = JsonMessage> extends EventStore<E> {
  /** The JetStream stream holding the messages. */
  readonly stream: string;
  /** Every subject of the store starts with it. */
  readonly subjectPrefix: string;
  /**
   * Creates the store's two JetStream streams, or updates their configuration
   * (replicas, duplicate window). Safe to call from every process at start-up.
   */
  setup(): Promise<void>;
  /** One page of streams by name; costs a listing of the filter's subjects (see docs/decisions/nats.md). */
  listStreams(options?: ListStreamsOptions): Promise<StreamPage>;
  /** The message with this id: its id index entry, then its record. */
  getMessage(id: string): Promise<RecordedMessageOf<E> | undefined>;
  /** Every category with its newest message's position; a listing of every subject. */
  listCategories(): Promise<CategorySummary[]>;
  /** Messages at or after a position, counted up to a cap by reading them. */
  countMessages(options?: CountMessagesOptions): Promise<number>;
}

/**
 * Creates an event store over a NATS connection with JetStream. The caller
 * owns the connection: `close()` releases the store's consumers, not the
 * connection. Call `setup()` once (any process, any time) to create the streams.
 * After `close()` every call rejects with `ClosedError`.
 *
 * @throws {ValidationError} when `connection` is not a NATS connection or an option is not valid (an unknown key too)
 * @example
 * ```ts ignore
 * import { connect, headers } from "@nats-io/transport-node";
 * import { createNatsStore } from "./nats_store.ts";
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const store = createNatsStore(nc, { headers });
 * await store.setup();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * ```
 */
export function createNatsStore<E extends MessageShape = JsonMessage>(
  connection: NatsConnection,
  options: CreateNatsStoreOptions,
): NatsEventStore<E> {
  const driver = validateDriver(connection, options?.headers);
  const store: NatsEventStore = new NatsStore(
    driver.connection,
    validateNatsStoreOptions(options),
    options.headers,
  );
  // The types are the caller's word: the store holds JSON messages of any type.
  return traced(store, options.telemetry) as NatsEventStore as NatsEventStore<E>;
}

// The store wrapped by the kit's instrumentStore when telemetry records; the
// wrapper knows only the EventStore port, so the NATS store's own members go
// on it here (the NATS transport finds the store's stream through them).
function traced(store: NatsEventStore, telemetry: Telemetry | undefined): NatsEventStore {
  if (telemetry === undefined) return store;
  const instrumented = instrumentStore(store, { telemetry, name: `nats:${store.stream}` });
  if (instrumented === store) return store;
  return Object.assign(instrumented, {
    stream: store.stream,
    subjectPrefix: store.subjectPrefix,
    setup: () => store.setup(),
    // instrumentStore hands the browsing calls on untraced, bound to the store.
  }) as NatsEventStore;
}

class NatsStore implements NatsEventStore {
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly logger: Logger;
  readonly #options: CheckedNatsStoreOptions;
  readonly #api: JetStreamApi;
  readonly #source: RecordSource;
  readonly #subjects: StoreSubjects;
  readonly #reader: StreamReader;
  readonly #pages: PageReader;
  readonly #appends: AppendContext;
  readonly #browser: NatsBrowser;
  readonly #head: LiveHead;
  readonly #gate = new CloseGate("store");
  readonly #watch: ConnectionWatch;

  constructor(
    connection: NatsConnection,
    options: CheckedNatsStoreOptions,
    headers: CreateNatsStoreOptions["headers"],
  ) {
    this.#options = options;
    this.stream = options.stream;
    this.subjectPrefix = options.subjectPrefix;
    this.logger = options.logger;
    this.#api = new JetStreamApi({ connection, headers }, {
      prefix: options.apiPrefix,
      timeout: options.timeout,
    });
    this.#source = { api: this.#api, puller: new Puller(this.#api), stream: options.stream };
    this.#subjects = storeSubjects(options.subjectPrefix);
    this.#reader = new StreamReader(this.#source, this.#subjects);
    this.#pages = new PageReader(this.#source);
    this.#appends = {
      api: this.#api,
      index: new IdIndex(this.#api, options.indexStream, this.#subjects),
      reader: this.#reader,
      heads: new StreamHeads(),
      subjectOf: (name) => this.#subjects.stream(name),
      maxRecordBytes: () => connection.info?.max_payload ?? 1024 * 1024,
      abandonedAfter: 2 * options.timeout,
    };
    this.#browser = new NatsBrowser({
      api: this.#api,
      stream: options.stream,
      records: this.#source,
      subjects: this.#subjects,
      reader: this.#reader,
      index: this.#appends.index,
    });
    this.#head = new LiveHead({
      readHead: () => this.#readHead(),
      source: this.#source,
      filter: this.#subjects.all,
      retryDelay: options.resubscribeDelay,
      logger: this.logger,
      stream: this.stream,
      stopped: () => this.#gate.closed || this.#watch.closed,
    });
    // A connection closed for good: waiters and the follower stop (they would retry forever).
    this.#watch = new ConnectionWatch(connection, {
      component: "store",
      closeFirst: "the store (store.close())",
      logger: this.logger,
      fields: { stream: this.stream },
      onClosed: () => this.#head.stop(),
    });
  }

  setup(): Promise<void> {
    return this.#gate.run("setup", async () => {
      try {
        for (const config of storeStreams(this.#options)) await this.#api.ensureStream(config);
      } catch (error) {
        const { subjectPrefix, replicas } = this.#options;
        const refused = replicasRefused(error, replicas);
        throw translateSetupError(refused, { path: "options.subjectPrefix", value: subjectPrefix });
      }
    });
  }

  append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<AppendResult> {
    return this.#gate.run("append", async () => {
      parseStreamName(streamName);
      const { expectedVersion } = validateAppendOptions(options);
      const checked = validateMessages(messages, this.#options.limits);
      try {
        const result = await appendBatch(this.#appends, streamName, checked, expectedVersion);
        this.#head.seen(result.globalPosition);
        return result;
      } catch (error) {
        throw translateError(error, "append");
      }
    });
  }

  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessage[]> {
    return this.#gate.run("readStream", async () => {
      parseStreamName(streamName);
      const { direction, from, limit } = validateReadStreamOptions(options);
      try {
        return direction === "forward"
          ? await this.#reader.forward(streamName, from ?? 0, limit)
          : await this.#reader.backward(streamName, from, limit);
      } catch (error) {
        throw translateError(error, "readStream");
      }
    });
  }

  // Pages go through cursors kept between calls (_page_reader.ts): a reader
  // paging on from a page's `next` reads on from the same consumer.
  readPage(options?: ReadPageOptions): Promise<MessagePage> {
    return this.#gate.run("readPage", async () => {
      const { category, from, limit, types } = validateReadPageOptions(options);
      try {
        const subject = category === undefined
          ? this.#subjects.all
          : this.#subjects.category(category);
        return await this.#pages.read(subject, types, from, limit, "readPage");
      } catch (error) {
        throw translateError(error, "readPage");
      }
    });
  }

  readCategory(category: string, options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, category, options, { readAhead: true });
  }

  readAll(options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, undefined, options, { readAhead: true });
  }

  getStreamInfo(streamName: string): Promise<StreamInfo> {
    return this.#gate.run("getStreamInfo", async () => {
      parseStreamName(streamName);
      try {
        const last = await this.#reader.last(streamName);
        if (last === undefined) {
          return { streamName, version: undefined, globalPosition: undefined };
        }
        const count = last.record.messages.length;
        return {
          streamName,
          version: last.record.firstVersion + count - 1,
          globalPosition: toGlobalPosition(last.seq, count - 1),
        };
      } catch (error) {
        throw translateError(error, "getStreamInfo");
      }
    });
  }

  listStreams(options?: ListStreamsOptions): Promise<StreamPage> {
    return this.#browse("listStreams", () => this.#browser.listStreams(options));
  }

  getMessage(id: string): Promise<RecordedMessage | undefined> {
    return this.#browse("getMessage", () => this.#browser.getMessage(id));
  }

  listCategories(): Promise<CategorySummary[]> {
    return this.#browse("listCategories", () => this.#browser.listCategories());
  }

  countMessages(options?: CountMessagesOptions): Promise<number> {
    return this.#browse("countMessages", () => this.#browser.countMessages(options));
  }

  // Options are checked inside: a ValidationError passes through translateError as it is.
  #browse<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.#gate.run(operation, async () => {
      try {
        return await call();
      } catch (error) {
        throw translateError(error, operation);
      }
    });
  }

  headPosition(): Promise<bigint> {
    return this.#gate.run("headPosition", async () => {
      try {
        const head = await this.#readHead();
        this.#head.seen(head);
        return head;
      } catch (error) {
        throw translateError(error, "headPosition");
      }
    });
  }

  async #readHead(): Promise<bigint> {
    const last = await this.#api.getMessage(this.stream, { last_by_subj: this.#subjects.all });
    if (last === undefined) return 0n;
    const record = decodeRecord(textOf(last.data));
    return toGlobalPosition(last.seq, Math.max(0, (record?.messages.length ?? 1) - 1));
  }

  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    if (this.#gate.closed) return this.#gate.refuse("waitForAppend");
    if (this.#watch.closed) return Promise.reject(this.#watch.closedError("waitForAppend"));
    return this.#head.wait(after, options);
  }

  // Refuses new calls at once, waits for those in flight, then releases the
  // store's consumers and timers (the connection stays the caller's).
  close(): Promise<void> {
    return this.#gate.close(async () => {
      this.#watch.stop();
      this.#head.stop();
      await this.#pages.close();
      await this.#browser.close();
      this.#source.puller.close();
      this.#api.close();
    });
  }
}
