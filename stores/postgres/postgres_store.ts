/**
 * The PostgreSQL event store: one SQL layer over a driver (postgres.js for a
 * server, PGlite embedded). How global order stays safe to read is written
 * down in docs/decisions/postgres-global-order.md; in short, rows take their
 * positions from a sequence at insert, and readers stop at the readable head,
 * below which no ordo writer is still in flight, so a reader can never be
 * passed by a transaction that commits late.
 *
 * @module
 */

import {
  type AppendLimits,
  type AppendOptions,
  type AppendResult,
  type CommittedAppend,
  ConcurrencyError,
  type DeferredAppendOptions,
  type EventStore,
  type ExpectedVersion,
  type Message,
  type MessageInput,
  type MessagePosition,
  parseStreamName,
  PositionWaiters,
  type ReadGlobalOptions,
  type ReadStreamOptions,
  type RecordedMessage,
  resolveAppendRetry,
  type StoredPosition,
  StoreUnavailableError,
  type StreamInfo,
  validateAppendOptions,
  validateCategory,
  validateMessages,
  validateReadGlobalOptions,
  validateReadStreamOptions,
  ValidationError,
  type WaitOptions,
} from "../../core/mod.ts";
import type { PostgresDriver, Row } from "./driver.ts";
import { migrationScript } from "./migrations.ts";
import { headInPayload, notifyChannel } from "./notify_payload.ts";
import { validateSchemaName } from "./schema_name.ts";
import { statements } from "./statements.ts";
import { CoalescedRounds } from "./coalesced_rounds.ts";
import { GroupedAppends, type Outcome } from "./grouped_appends.ts";
import { translateError } from "./translate_error.ts";

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
export interface PostgresEventStore extends EventStore {
  /**
   * Creates or updates the store's schema. Idempotent and versioned; safe to
   * run from several processes at once (an advisory lock serializes them).
   */
  migrate(): Promise<void>;
  /** The schema this store lives in. */
  readonly schema: string;
}

/** Builds the store over a driver; the public factories pick the driver. */
export function createStoreOverDriver(
  driver: PostgresDriver,
  options: PostgresStoreOptions = {},
): PostgresEventStore {
  return new PostgresStore(driver, options);
}

class PostgresStore implements PostgresEventStore {
  readonly schema: string;
  readonly #driver: PostgresDriver;
  readonly #limits: AppendLimits;
  readonly #pollInterval: number;
  readonly #waiters = new PositionWaiters();
  readonly #sql: ReturnType<typeof statements>;
  // The highest readable head seen (from a query or a NOTIFY). Below it every
  // position is final, for good, so global reads may stop there without asking again.
  #knownHead = 0n;
  #listening: Promise<() => Promise<void>> | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  // waitForAppend calls reading the head before they join the waiters.
  #arming = 0;
  #closed = false;
  // After appends commit, one NOTIFY at a time tells every listening store the
  // readable head, computed once in the NOTIFY's own statement (about 0.2 ms
  // of server time, reading the lock table). A woken reader then needs no
  // head query of its own: one head per round for all listeners, not one per
  // listening store, and one round trip less between a commit and a reader.
  // Its transaction commits without waiting for the WAL flush (a NOTIFY gets
  // a transaction id, so its commit would otherwise cost a flush of its own):
  // it writes nothing, and a wake-up lost in a crash is made good by the
  // re-read every listener does when it reconnects.
  readonly #notifications = new CoalescedRounds(async () => {
    await this.#driver.query(this.#sql.notify, []);
  });
  // A NOTIFY heard, or a poll: one head query at a time for all of them, then the waiters.
  readonly #headChecks = new CoalescedRounds(async () => {
    this.#waiters.notify(await this.headPosition());
  });
  readonly #groups: GroupedAppends<SingleAppend, AppendResult>;

  constructor(driver: PostgresDriver, options: PostgresStoreOptions) {
    this.schema = validateSchemaName(options.schema ?? "ordo");
    this.#driver = driver;
    this.#limits = options;
    this.#pollInterval = options.pollInterval ?? 1000;
    this.#sql = statements(this.schema);
    const maxInFlight = options.maxAppendsInFlight ?? 4;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new ValidationError(
        "options.maxAppendsInFlight",
        maxInFlight,
        "must be a whole number of at least 1",
      );
    }
    this.#groups = new GroupedAppends((items) => this.#appendGroup(items), {
      maxInFlight,
      maxGroup: MAX_GROUP,
      maxGroupBytes: MAX_GROUP_BYTES,
    });
  }

  async migrate(): Promise<void> {
    this.#ensureOpen("migrate");
    try {
      await this.#driver.exec(migrationScript(this.schema));
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
    this.#ensureOpen("append");
    parseStreamName(streamName);
    // Every row has its position at commit, so awaitGlobalPosition changes nothing here.
    const { expectedVersion: expected } = validateAppendOptions(options);
    const checked = validateMessages(messages, this.#limits);
    try {
      if (checked.length > 1) return await this.#appendMany(streamName, checked, expected);
      const message = checked[0];
      const single: SingleAppend = {
        streamName,
        message,
        expected,
        data: JSON.stringify(message.data),
        metadata: JSON.stringify(message.metadata),
      };
      const bytes = single.data.length + single.metadata.length;
      return await this.#groups.submit({ stream: streamName, id: message.id, bytes, item: single });
    } finally {
      // Committed or rolled back, readers may now read further: a rolled-back
      // append may have held them below another writer's messages.
      void this.#notifications.request();
    }
  }

  async #appendMany(
    streamName: string,
    checked: readonly Message[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const payload = JSON.stringify(
      checked.map((m) => ({ id: m.id, type: m.type, data: m.data, metadata: m.metadata })),
    );
    for (let attempt = 1;; attempt++) {
      let rows: Row[];
      try {
        rows = await this.#driver.query(this.#sql.append, [streamName, String(expected), payload]);
      } catch (error) {
        if (!isUniqueViolation(error)) throw this.#translate(error, "append");
        // Some id is stored already (a retry), and nothing of this attempt was
        // written. Answer from what is stored; if the stored rows are gone from
        // view (a concurrent writer rolled back), run the append again.
        const stored = await this.#query("append", this.#sql.storedIds, [
          `{${checked.map((m) => m.id).join(",")}}`,
        ]);
        if (stored.length > 0) return retried(streamName, checked, stored);
        if (attempt < 5) continue;
        throw this.#translate(error, "append");
      }
      const status = rows[0].status;
      if (status === "conflict") {
        const actual = rows[0].stream_version;
        throw new ConcurrencyError(
          streamName,
          expected,
          actual === null ? undefined : Number(actual),
        );
      }
      if (status === "stored") return retried(streamName, checked, rows);
      if (status === "range") return numberedRange(streamName, checked, rows[0]);
      return numbered(streamName, rows);
    }
  }

  // A group of one-message appends to distinct streams: one statement, one
  // commit. An append it leaves out (a conflict, an id already stored) or a
  // group that fails (a race with another process on a stream or an id, a
  // value the server refuses, a dropped connection) runs alone afterwards, so
  // that each caller gets exactly what its append alone would have got; ids
  // make that safe even if the failed group did commit.
  async #appendGroup(items: readonly SingleAppend[]): Promise<Outcome<AppendResult>[]> {
    const grouped = new Map<string, Row>();
    if (items.length > 1) {
      const payload = `[${items.map(groupEntryJson).join(",")}]`;
      try {
        for (const row of await this.#driver.query(this.#sql.appendGroup, [payload])) {
          grouped.set(row.id as string, row);
        }
      } catch {
        // Each runs alone below, and meets the error itself if it persists.
      }
    }
    return await Promise.all(items.map(async (item): Promise<Outcome<AppendResult>> => {
      const row = grouped.get(item.message.id);
      if (row !== undefined) return { ok: true, value: numbered(item.streamName, [row]) };
      try {
        return { ok: true, value: await this.#appendAlone(item) };
      } catch (error) {
        return { ok: false, error };
      }
    }));
  }

  async #appendAlone(item: SingleAppend): Promise<AppendResult> {
    const appended = await this.#appendOne(item);
    return appended ?? await this.#appendMany(item.streamName, [item.message], item.expected);
  }

  // One message: one plain INSERT that reads the stream's version and checks
  // the expected one itself, faster than the append function (measured, see
  // postgres-global-order.md). It inserts only while holding the stream's
  // lock, as the function does, so the function never meets its row
  // half-written; but it read the version in a snapshot taken before the
  // lock, so after a race on the same stream it fails on the (stream,
  // version) unique index rather than write a wrong version. On that failure,
  // on a conflict and on an id already stored it returns nothing, and the
  // function decides.
  async #appendOne(
    { streamName, message, expected, data, metadata }: SingleAppend,
  ): Promise<AppendResult | undefined> {
    const { check, version } = expectedCheck(expected);
    const params = [
      message.id,
      streamName,
      check,
      version,
      message.type,
      data,
      metadata,
    ];
    let rows: Row[];
    try {
      rows = await this.#driver.query(this.#sql.appendOne, params);
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw this.#translate(error, "append");
    }
    if (rows.length === 0) return undefined;
    return numbered(streamName, [{ ...rows[0], id: message.id }]);
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readStream");
    parseStreamName(streamName);
    const { direction, from, limit } = validateReadStreamOptions(options);
    const params = [
      streamName,
      from ?? (direction === "forward" ? 0 : Number.MAX_SAFE_INTEGER),
      limit === Infinity ? null : limit,
    ];
    const text = direction === "forward"
      ? this.#sql.readStreamForward
      : this.#sql.readStreamBackward;
    return await this.#read("readStream", text, params);
  }

  async readCategory(category: string, options?: ReadGlobalOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readCategory");
    validateCategory(category);
    const { from, limit, types } = validateReadGlobalOptions(options);
    return await this.#readGlobal("readCategory", from, limit, category, types);
  }

  async readAll(options?: ReadGlobalOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readAll");
    const { from, limit, types } = validateReadGlobalOptions(options);
    return await this.#readGlobal("readAll", from, limit, null, types);
  }

  async getStreamInfo(streamName: string): Promise<StreamInfo> {
    this.#ensureOpen("getStreamInfo");
    parseStreamName(streamName);
    const [last] = await this.#read("getStreamInfo", this.#sql.readStreamBackward, [
      streamName,
      Number.MAX_SAFE_INTEGER,
      1,
    ]);
    return { streamName, version: last?.streamVersion, globalPosition: last?.globalPosition };
  }

  // The readable head: the last message below which no ordo writer is in flight.
  async headPosition(): Promise<bigint> {
    this.#ensureOpen("headPosition");
    const [row] = await this.#query("headPosition", this.#sql.head, []);
    return this.#learnHead(BigInt(row.head as string));
  }

  // Heads only move forward; an older answer that arrives late changes nothing.
  #learnHead(head: bigint): bigint {
    if (head > this.#knownHead) this.#knownHead = head;
    return this.#knownHead;
  }

  async waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    if (this.#closed) return false;
    this.#listen();
    // While the head is read, a NOTIFY must not be ignored as if nobody
    // waited: it may be for a commit that this read came too early to see.
    this.#arming++;
    try {
      await this.headPosition();
    } finally {
      this.#arming--;
    }
    // The head just read, or a later one that a NOTIFY brought meanwhile.
    const waiting = this.#waiters.wait(after, this.#knownHead, options);
    this.#schedulePoll();
    return await waiting;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Appends already made finish, and the NOTIFYs asked for go out: the caller may end the driver next.
    await this.#groups.idle();
    await this.#notifications.idle();
    await this.#headChecks.idle();
    this.#waiters.close();
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer);
    const listening = this.#listening;
    this.#listening = undefined;
    if (listening !== undefined) {
      await listening.then((unlisten) => unlisten(), () => {}).catch(() => {});
    }
  }

  // Starts LISTENing once; a failure (the server is down) is retried by the next wait.
  #listen(): void {
    if (this.#listening !== undefined) return;
    this.#listening = this.#driver.listen(
      notifyChannel(this.schema),
      (payload) => {
        const head = headInPayload(payload);
        if (head !== undefined) {
          this.#waiters.notify(this.#learnHead(head));
          return;
        }
        // No head in it (plain SQL, or an older writer): only waiting readers
        // need the head now; the others ask when they read.
        if (this.#waiters.size > 0 || this.#arming > 0) void this.#headChecks.request();
      },
      // On every (re)connect: whatever was NOTIFYed while the connection was down is lost, so re-read the head.
      () => void this.#headChecks.request(),
    );
    this.#listening.catch(() => (this.#listening = undefined));
  }

  // While readers wait, poll now and then: it covers lost notifications, and
  // a head that moved without one (a writer below others rolled back or died).
  #schedulePoll(): void {
    if (this.#pollTimer !== undefined || this.#closed) return;
    this.#pollTimer = setTimeout(async () => {
      try {
        await this.#headChecks.request();
      } catch {
        // Unavailable for now; the next poll tries again.
      }
      this.#pollTimer = undefined;
      if (this.#waiters.size > 0) this.#schedulePoll();
    }, this.#pollInterval);
  }

  async #read(operation: string, text: string, params: unknown[]): Promise<RecordedMessage[]> {
    return (await this.#query(operation, text, params)).map(toRecorded);
  }

  // A global read stops at the readable head. Below the head the store
  // already knows, nothing can still appear, so a page that is full below it
  // needs no new head: a catch-up costs one plain query per page. Near the
  // head, or after a short page, the rest is read by read_to_head(), which
  // computes a fresh head and reads up to it in one round trip (its first row
  // is the head).
  async #readGlobal(
    operation: string,
    from: bigint,
    limit: number,
    category: string | null,
    types: readonly string[] | undefined,
  ): Promise<RecordedMessage[]> {
    const typesJson = types === undefined ? null : JSON.stringify(types);
    const known = this.#knownHead;
    let rows: Row[] = [];
    // Fewer positions than the limit up to the known head: that page would be short anyway.
    if (from <= known && Number(known - from) >= limit) {
      rows = await this.#query(
        operation,
        ...this.#pageBelow(category, typesJson, String(from), limit, String(known)),
      );
      if (rows.length === limit) return rows.map(toRecorded);
    }
    const next = rows.length === 0
      ? from
      : BigInt(rows[rows.length - 1].globalPosition as string) + 1n;
    const [head, ...more] = await this.#query(operation, this.#sql.readToHead, [
      String(next),
      limit - rows.length,
      category,
      typesJson,
    ]);
    this.#learnHead(BigInt(head.globalPosition as string));
    return rows.concat(more).map(toRecorded);
  }

  // The plain statement for a page up to a known bound, and its parameters.
  #pageBelow(
    category: string | null,
    typesJson: string | null,
    from: string,
    limit: number,
    bound: string,
  ): [string, unknown[]] {
    if (category === null) {
      return typesJson === null
        ? [this.#sql.readAll, [from, limit, bound]]
        : [this.#sql.readAllTypes, [from, limit, bound, typesJson]];
    }
    return typesJson === null
      ? [this.#sql.readCategory, [category, from, limit, bound]]
      : [this.#sql.readCategoryTypes, [category, from, limit, bound, typesJson]];
  }

  async #query(operation: string, text: string, params: unknown[]): Promise<Row[]> {
    try {
      return await this.#driver.query(text, params);
    } catch (error) {
      throw this.#translate(error, operation);
    }
  }

  #translate(error: unknown, operation: string): unknown {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "42P01" || code === "42883" || code === "3F000") {
      return new StoreUnavailableError(
        operation,
        `schema "${this.schema}" has no ordo tables: call migrate() first`,
        { cause: error },
      );
    }
    return translateError(error, operation);
  }

  #ensureOpen(operation: string): void {
    if (this.#closed) throw new StoreUnavailableError(operation, "the store is closed");
  }
}

// Groups stay small enough that one statement's payload is modest; the
// sixteen-writer bench makes groups of sixteen.
const MAX_GROUP = 256;
const MAX_GROUP_BYTES = 1 << 20;

// A one-message append, its data and metadata already JSON.
interface SingleAppend {
  readonly streamName: string;
  readonly message: Message;
  readonly expected: ExpectedVersion;
  readonly data: string;
  readonly metadata: string;
}

// An expected version as the one-message statements take it: what to check
// ("any", "no-stream", "exists", or "version"), and the version for "version".
function expectedCheck(expected: ExpectedVersion): { check: string; version: number | null } {
  return typeof expected === "number"
    ? { check: "version", version: expected }
    : { check: expected, version: null };
}

// One append as an element of the group statement's JSON array; data and
// metadata are JSON already and go in as they are.
function groupEntryJson({ streamName, message, expected, data, metadata }: SingleAppend): string {
  const { check, version } = expectedCheck(expected);
  return `{"id":"${message.id}","stream":${
    JSON.stringify(streamName)
  },"expected":"${check}","version":${version},"type":${
    JSON.stringify(message.type)
  },"data":${data},"metadata":${metadata}}`;
}

// A fresh append: each row holds a message's id, version and position. They
// are put in version order, which is the order of the messages appended.
function numbered(streamName: string, rows: Row[]): AppendResult {
  const positions = rows.map((row) => ({
    id: row.id as string,
    streamVersion: Number(row.stream_version),
    globalPosition: BigInt(row.global_position as string),
  })).sort((a, b) => a.streamVersion - b.streamVersion);
  return freshResult(streamName, positions);
}

// A fresh append whose rows got consecutive positions: the row holds the last
// version and the last position.
function numberedRange(streamName: string, checked: readonly Message[], row: Row): AppendResult {
  const lastVersion = Number(row.stream_version);
  const lastPosition = BigInt(row.global_position as string);
  return freshResult(
    streamName,
    checked.map((m, i) => {
      const before = checked.length - 1 - i;
      return {
        id: m.id,
        streamVersion: lastVersion - before,
        globalPosition: lastPosition - BigInt(before),
      };
    }),
  );
}

// The result of a fresh append, from its messages' positions in order: the last one is the append's.
function freshResult(streamName: string, positions: MessagePosition[]): AppendResult {
  const last = positions[positions.length - 1];
  return {
    streamName,
    streamVersion: last.streamVersion,
    globalPosition: last.globalPosition,
    positions,
    deduplicated: false,
  };
}

// Some ids were stored already: decide with the shared rule.
function retried(streamName: string, checked: readonly Message[], rows: Row[]): AppendResult {
  const byId = new Map<string, StoredPosition>(rows.map((row) => [row.id as string, {
    streamName: row.stream_name as string,
    streamVersion: Number(row.stream_version),
    globalPosition: BigInt(row.global_position as string),
  }]));
  const result = resolveAppendRetry(streamName, checked, checked.map((m) => byId.get(m.id)));
  if (result === undefined) throw new Error("A stored append was reported but no id matched");
  return result;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}

// Rows arrive with RecordedMessage's field names (the SQL aliases them so);
// converting them in place saves an object per message on catch-up reads.
function toRecorded(row: Row): RecordedMessage {
  row.data = JSON.parse(row.data as string);
  row.metadata = JSON.parse(row.metadata as string);
  row.streamVersion = Number(row.streamVersion);
  row.globalPosition = BigInt(row.globalPosition as string);
  return row as unknown as RecordedMessage;
}
