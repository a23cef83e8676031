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
  type CommittedAppend,
  type CountMessagesOptions,
  type DeferredAppendOptions,
  type EventStore,
  type JsonMessage,
  type ListStreamsOptions,
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
  validateAppendOptions,
  validateId,
  validateMessages,
  validateReadPageOptions,
  validateReadStreamOptions,
  ValidationError,
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
}

/** An `EventStore` in PostgreSQL, plus the call that creates or updates its schema. */
export interface PostgresEventStore<E extends MessageShape = JsonMessage> extends EventStore<E> {
  /**
   * Creates or updates the store's schema. Idempotent and versioned; safe to
   * run from several processes at once (an advisory lock serializes them).
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
  return new PostgresStore(driver, options) as PostgresEventStore as PostgresEventStore<E>;
}

class PostgresStore implements PostgresEventStore {
  readonly schema: string;
  readonly #sql: StoreSql;
  readonly #limits: AppendLimits;
  readonly #head: HeadWatch;
  readonly #appends: Appends;
  readonly #reads: Reads;
  readonly #browse: Browse;

  constructor(driver: PostgresDriver, options: PostgresStoreOptions) {
    this.schema = validateSchemaName(options.schema ?? "ordo");
    this.#limits = options;
    const maxInFlight = options.maxAppendsInFlight ?? 4;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new ValidationError(
        "options.maxAppendsInFlight",
        maxInFlight,
        "must be a whole number of at least 1",
      );
    }
    this.#sql = new StoreSql(driver, this.schema, statements(this.schema));
    this.#head = new HeadWatch(this.#sql, options.pollInterval ?? 1000);
    this.#appends = new Appends(this.#sql, maxInFlight);
    this.#reads = new Reads(this.#sql, this.#head);
    this.#browse = new Browse(this.#sql);
  }

  async migrate(): Promise<void> {
    this.#sql.ensureOpen("migrate");
    try {
      await this.#sql.driver.exec(migrationScript(this.schema));
    } catch (error) {
      throw translateError(error, "migrate");
    }
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
    try {
      return checked.length > 1
        ? await this.#appends.many(streamName, checked, expected)
        : await this.#appends.one(streamName, checked[0], expected);
    } finally {
      this.#head.appended();
    }
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessage[]> {
    this.#sql.ensureOpen("readStream");
    parseStreamName(streamName);
    const { direction, from, limit } = validateReadStreamOptions(options);
    return await this.#reads.stream(
      "readStream",
      streamName,
      direction,
      from ?? (direction === "forward" ? 0 : Number.MAX_SAFE_INTEGER),
      limit === Infinity ? null : limit,
    );
  }

  async readPage(options?: ReadPageOptions): Promise<MessagePage> {
    this.#sql.ensureOpen("readPage");
    const { category, from, limit, types } = validateReadPageOptions(options);
    const messages = await this.#reads.global("readPage", from, limit, category ?? null, types);
    return pageOf(messages, from, limit);
  }

  readCategory(category: string, options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, category, options);
  }

  readAll(options?: ReadGlobalOptions): MessageIterable {
    return readInPages(this, undefined, options);
  }

  async getStreamInfo(streamName: string): Promise<StreamInfo> {
    this.#sql.ensureOpen("getStreamInfo");
    parseStreamName(streamName);
    const [last] = await this.#reads.stream(
      "getStreamInfo",
      streamName,
      "backward",
      Number.MAX_SAFE_INTEGER,
      1,
    );
    return { streamName, version: last?.streamVersion, globalPosition: last?.globalPosition };
  }

  // The readable head: the last message below which no ordo writer is in flight.
  async headPosition(): Promise<bigint> {
    return await this.#head.query();
  }

  async waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    return await this.#head.waitForAppend(after, options);
  }

  async listStreams(options?: ListStreamsOptions): Promise<StreamPage> {
    this.#sql.ensureOpen("listStreams");
    return await this.#browse.listStreams(options);
  }

  async getMessage(id: string): Promise<RecordedMessage | undefined> {
    this.#sql.ensureOpen("getMessage");
    return await this.#reads.byId(validateId(id, "id"));
  }

  async listCategories(): Promise<CategorySummary[]> {
    this.#sql.ensureOpen("listCategories");
    return await this.#browse.listCategories();
  }

  async countMessages(options?: CountMessagesOptions): Promise<number> {
    this.#sql.ensureOpen("countMessages");
    return await this.#browse.countMessages(options);
  }

  async close(): Promise<void> {
    if (this.#sql.closed) return;
    this.#sql.close();
    // Appends already made finish, and the NOTIFYs asked for go out: the caller may end the driver next.
    await this.#appends.idle();
    await this.#head.close();
  }
}
