/**
 * The PostgreSQL event store: one SQL layer over a driver (postgres.js for a
 * server, PGlite embedded). How global order stays safe to read is written
 * down in docs/decisions/postgres-global-order.md; in short, rows take their
 * positions from a sequence at insert, and readers stop at the readable head,
 * below which no ordo writer is still in flight, so a reader can never be
 * passed by a transaction that commits late.
 *
 * The store here checks its input and hands the work on, one concept a
 * file: appends to `_appends.ts`, reads to `_reads.ts`, the readable head,
 * waiting readers and NOTIFY rounds to `_head_watch.ts`, every statement's
 * text to `statements.ts`.
 *
 * @module
 */

import {
  type AppendLimits,
  type AppendOptions,
  type AppendResult,
  type CategorySummary,
  checkAppendLimits,
  checkCount,
  checkLogger,
  checkOptions,
  checkPositiveNumber,
  type CommittedAppend,
  consoleLogger,
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
  pageOf,
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
  validateId,
  validateMessages,
  validateReadPageOptions,
  validateReadStreamOptions,
  type WaitOptions,
} from "../../core/mod.ts";
import type { PostgresDriver } from "./driver.ts";
import { migrationScript } from "./migrations/mod.ts";
import { validateSchemaName } from "./schema_name.ts";
import { statements } from "./statements.ts";
import { translateError } from "./translate_error.ts";
import { Appends } from "./_appends.ts";
import { Browse } from "./_browse.ts";
import { HeadWatch } from "./_head_watch.ts";
import { checkJsonbMessageSize } from "./_jsonb_limit.ts";
import { Reads } from "./_reads.ts";
import { StoreSql } from "./_store_sql.ts";

/** Options shared by {@link createPostgresStore} and {@link createPGliteStore}. */
export interface PostgresStoreOptions extends AppendLimits {
  /** PostgreSQL schema holding the store's tables. Default `"ordo"`. */
  readonly schema?: string;
  /**
   * How often, in milliseconds, a store with waiting readers checks for new
   * messages even without a notification: a fallback for lost NOTIFYs, and
   * for a writer that died or rolled back below others' messages. Default 1000.
   */
  readonly pollInterval?: number;
  /**
   * One-message appends running at once. Appends made while this many run
   * wait and then go out together, in one statement and one commit (see
   * docs/decisions/postgres-grouped-appends.md). Default 4.
   */
  readonly maxAppendsInFlight?: number;
  /**
   * Where appends and reads report spans and metrics (`openTelemetry()` from
   * `ordo/opentelemetry`), as `postgres:<schema>`; consumers and transports
   * built on the store inherit it. Default: none, and the store is not wrapped.
   */
  readonly telemetry?: Telemetry;
  /**
   * Where the store reports what it retries (a lost LISTEN connection, a
   * failed poll), and what is built on it (consumers, the store-backed
   * transport) reports unless given its own. Default: the console.
   */
  readonly logger?: Logger;
}

const OPTION_KEYS: readonly string[] = [
  "schema",
  "pollInterval",
  "maxAppendsInFlight",
  "maxMessageSize",
  "maxBatchSize",
  "logger",
  "telemetry",
];

/** An `EventStore` in PostgreSQL, plus the call that creates or updates its schema. */
export interface PostgresEventStore<E extends MessageShape = JsonMessage> extends EventStore<E> {
  /**
   * Creates or updates the store's schema. Idempotent and versioned; safe to
   * run from several processes at once (an advisory lock serializes them).
   * Until it has run, every other call rejects with `NotMigratedError`.
   */
  migrate(): Promise<void>;
  /** The schema this store lives in. */
  readonly schema: string;
  /** One page of streams by name; one index probe per stream looked at (see `EventStore`). */
  listStreams(options?: ListStreamsOptions): Promise<StreamPage>;
  /** The message with this id; one index lookup. */
  getMessage(id: string): Promise<RecordedMessageOf<E> | undefined>;
  /** Every category with its newest message's position; one index probe per category. */
  listCategories(): Promise<CategorySummary[]>;
  /** Messages at or after a position, counted up to a cap (see `EventStore`). */
  countMessages(options?: CountMessagesOptions): Promise<number>;
}

/**
 * Builds the store over a driver; the public factories pick the driver. For
 * a driver of your own (another PostgreSQL client) or a wrapped one.
 *
 * Before its first call the store checks its schema once: missing tables or
 * functions, a schema that does not exist, or migrations older than this
 * code's are a `NotMigratedError` naming the schema (call `migrate()`), not a
 * retryable error. After `close()` (idempotent; it waits for the calls in
 * flight) every call rejects with `ClosedError`.
 *
 * @throws {ValidationError} on bad options (an unknown key too)
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { createStoreOverDriver, pgliteDriver } from "./mod.ts";
 * const store = createStoreOverDriver(pgliteDriver(new PGlite()), { schema: "orders" });
 * await store.migrate();
 * await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
 * console.log((await store.readStream("order-1")).length); // 1
 * ```
 */
export function createStoreOverDriver<E extends MessageShape = JsonMessage>(
  driver: PostgresDriver,
  options: PostgresStoreOptions = {},
): PostgresEventStore<E> {
  // The types are the caller's word: the store holds JSON messages of any type.
  const store = new PostgresStore(driver, options) as PostgresEventStore as PostgresEventStore<E>;
  if (options.telemetry === undefined) return store;
  const instrumented = instrumentStore(store, {
    telemetry: options.telemetry,
    name: `postgres:${store.schema}`,
  });
  if (instrumented === store) return store;
  return Object.assign(instrumented, {
    schema: store.schema,
    migrate: () => store.migrate(),
    // Operators' browsing calls, handed on untraced.
    listStreams: (o?: ListStreamsOptions) => store.listStreams(o),
    getMessage: (id: string) => store.getMessage(id),
    listCategories: () => store.listCategories(),
    countMessages: (o?: CountMessagesOptions) => store.countMessages(o),
  });
}

class PostgresStore implements PostgresEventStore {
  readonly schema: string;
  readonly logger: Logger;
  readonly #sql: StoreSql;
  readonly #limits: AppendLimits;
  readonly #head: HeadWatch;
  readonly #appends: Appends;
  readonly #reads: Reads;
  readonly #browse: Browse;

  constructor(driver: PostgresDriver, options: PostgresStoreOptions) {
    checkOptions(options, OPTION_KEYS);
    this.schema = validateSchemaName(options.schema ?? "ordo");
    const limits = checkAppendLimits(options);
    checkJsonbMessageSize(limits.maxMessageSize);
    this.#limits = limits;
    const maxInFlight = checkCount(options.maxAppendsInFlight, "options.maxAppendsInFlight", 4);
    const pollInterval = checkPositiveNumber(
      options.pollInterval,
      "options.pollInterval",
      1000,
      "milliseconds",
    );
    this.logger = checkLogger(options.logger, "options.logger", consoleLogger);
    this.#sql = new StoreSql(driver, this.schema, statements(this.schema), this.logger);
    this.#head = new HeadWatch(this.#sql, pollInterval);
    this.#appends = new Appends(this.#sql, maxInFlight);
    this.#reads = new Reads(this.#sql, this.#head);
    this.#browse = new Browse(this.#sql);
  }

  migrate(): Promise<void> {
    return this.#sql.gate.run("migrate", async () => {
      try {
        await this.#sql.driver.exec(migrationScript(this.schema));
      } catch (error) {
        throw translateError(error, "migrate");
      }
      this.#sql.schemaCheck.pass();
    });
  }

  append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  append(
    streamName: string,
    messages: readonly MessageInput[],
    options: DeferredAppendOptions,
  ): Promise<CommittedAppend>;
  append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<CommittedAppend>;
  async append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<CommittedAppend> {
    this.#sql.ensureOpen("append");
    parseStreamName(streamName);
    // Every row has its position at commit, so awaitGlobalPosition changes nothing here.
    const { expectedVersion: expected } = validateAppendOptions(options);
    const checked = validateMessages(messages, this.#limits);
    return await this.#sql.run("append", async () => {
      try {
        return checked.length > 1
          ? await this.#appends.many(streamName, checked, expected)
          : await this.#appends.one(streamName, checked[0], expected);
      } finally {
        this.#head.appended();
      }
    });
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessage[]> {
    this.#sql.ensureOpen("readStream");
    parseStreamName(streamName);
    const { direction, from, limit } = validateReadStreamOptions(options);
    return await this.#sql.run("readStream", () =>
      this.#reads.stream(
        "readStream",
        streamName,
        direction,
        from ?? (direction === "forward" ? 0 : Number.MAX_SAFE_INTEGER),
        limit === Infinity ? null : limit,
      ));
  }

  async readPage(options?: ReadPageOptions): Promise<MessagePage> {
    this.#sql.ensureOpen("readPage");
    const { category, from, limit, types } = validateReadPageOptions(options);
    const messages = await this.#sql.run(
      "readPage",
      () => this.#reads.global("readPage", from, limit, category ?? null, types),
    );
    return pageOf(messages, from, limit);
  }

  readCategory(category: string, options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, category, options, { readAhead: true });
  }

  readAll(options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, undefined, options, { readAhead: true });
  }

  async getStreamInfo(streamName: string): Promise<StreamInfo> {
    this.#sql.ensureOpen("getStreamInfo");
    parseStreamName(streamName);
    const [last] = await this.#sql.run("getStreamInfo", () =>
      this.#reads.stream(
        "getStreamInfo",
        streamName,
        "backward",
        Number.MAX_SAFE_INTEGER,
        1,
      ));
    return { streamName, version: last?.streamVersion, globalPosition: last?.globalPosition };
  }

  // The readable head: the last message below which no ordo writer is in flight.
  headPosition(): Promise<bigint> {
    return this.#sql.run("headPosition", () => this.#head.read());
  }

  // Not counted in flight: a wait can last forever, and close() ends it (false).
  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    if (this.#sql.closed) return this.#sql.gate.refuse("waitForAppend");
    if (!this.#sql.schemaCheck.passed) {
      return this.#sql.run("waitForAppend", async () => {})
        .then(() => this.#head.waitForAppend(after, options));
    }
    return this.#head.waitForAppend(after, options);
  }

  async listStreams(options?: ListStreamsOptions): Promise<StreamPage> {
    this.#sql.ensureOpen("listStreams");
    return await this.#sql.run("listStreams", () => this.#browse.listStreams(options));
  }

  async getMessage(id: string): Promise<RecordedMessage | undefined> {
    this.#sql.ensureOpen("getMessage");
    validateId(id, "id");
    return await this.#sql.run("getMessage", () => this.#reads.byId(id));
  }

  async listCategories(): Promise<CategorySummary[]> {
    this.#sql.ensureOpen("listCategories");
    return await this.#sql.run("listCategories", () => this.#browse.listCategories());
  }

  async countMessages(options?: CountMessagesOptions): Promise<number> {
    this.#sql.ensureOpen("countMessages");
    return await this.#sql.run("countMessages", () => this.#browse.countMessages(options));
  }

  close(): Promise<void> {
    // The calls in flight finish first (appends, and the NOTIFYs they asked
    // for): then the caller may end the driver.
    return this.#sql.gate.close(async () => {
      await this.#appends.idle();
      await this.#head.close();
    });
  }
}
