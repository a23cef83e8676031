/**
 * The PostgreSQL event store: one SQL layer over a driver (postgres.js for a
 * server, PGlite embedded). How global order stays safe to read is written
 * down in docs/decisions/postgres-global-order.md; in short, appends commit
 * rows without a global position, and a sequencer under an advisory lock
 * numbers rows that are already committed, so a reader can never be passed
 * by a transaction that commits late.
 *
 * @module
 */

import {
  type AppendLimits,
  type AppendOptions,
  type AppendResult,
  type CommittedAppend,
  type DeferredAppendOptions,
  ConcurrencyError,
  type EventStore,
  type ExpectedVersion,
  type Message,
  type MessageInput,
  parseStreamName,
  PositionWaiters,
  type ReadGlobalOptions,
  type ReadStreamOptions,
  type RecordedMessage,
  resolveAppendRetry,
  StoreUnavailableError,
  type StoredPosition,
  type StreamInfo,
  validateCategory,
  validateAppendOptions,
  validateMessages,
  validateReadGlobalOptions,
  validateReadStreamOptions,
  type WaitOptions,
} from "../../core/mod.ts";
import type { PostgresDriver, Row } from "./driver.ts";
import { migrationScript, notifyChannel, validateSchemaName } from "./schema.ts";
import { SequencerRounds } from "./sequencer_rounds.ts";
import { translateError } from "./translate_error.ts";

/** Options shared by {@link createPostgresStore} and {@link createPGliteStore}. */
export interface PostgresStoreOptions extends AppendLimits {
  /** PostgreSQL schema holding the store's tables. Default `"ordo"`. */
  readonly schema?: string;
  /**
   * How often, in milliseconds, a store with waiting readers checks for new
   * messages even without a notification (a fallback for lost NOTIFYs), and
   * numbers messages whose writer died between commit and sequencing. Default 1000.
   */
  readonly pollInterval?: number;
  /** Most messages the sequencer numbers per statement. Default 10,000. */
  readonly sequencerBatch?: number;
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

// Selected as text and converted in JS, the same way for both drivers. The
// aliases shadow the columns' names in ORDER BY, so every ORDER BY says m.
const COLUMNS =
  'm.id::text AS id, m.type, m.data::text AS data, m.metadata::text AS metadata, m.stream_name AS "streamName", m.stream_version::float8 AS "streamVersion", m.global_position::text AS "globalPosition"';

/** Builds the store over a driver; the public factories pick the driver. */
export function createStoreOverDriver(driver: PostgresDriver, options: PostgresStoreOptions = {}): PostgresEventStore {
  return new PostgresStore(driver, options);
}

class PostgresStore implements PostgresEventStore {
  readonly schema: string;
  readonly #driver: PostgresDriver;
  readonly #limits: AppendLimits;
  readonly #pollInterval: number;
  readonly #batch: number;
  readonly #waiters = new PositionWaiters();
  readonly #sql: ReturnType<typeof statements>;
  #knownHead = 0n;
  #listening: Promise<() => Promise<void>> | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #rounds = new SequencerRounds(async () => {
    await this.#sequence(null);
  });

  constructor(driver: PostgresDriver, options: PostgresStoreOptions) {
    this.schema = validateSchemaName(options.schema ?? "ordo");
    this.#driver = driver;
    this.#limits = options;
    this.#pollInterval = options.pollInterval ?? 1000;
    this.#batch = options.sequencerBatch ?? 10_000;
    this.#sql = statements(this.schema);
  }

  async migrate(): Promise<void> {
    this.#ensureOpen("migrate");
    try {
      await this.#driver.exec(migrationScript(this.schema));
    } catch (error) {
      throw translateError(error, "migrate");
    }
  }

  append(streamName: string, messages: readonly MessageInput[], options?: AppendOptions): Promise<AppendResult>;
  append(streamName: string, messages: readonly MessageInput[], options: DeferredAppendOptions): Promise<CommittedAppend>;
  append(streamName: string, messages: readonly MessageInput[], options?: AppendOptions | DeferredAppendOptions): Promise<CommittedAppend>;
  async append(
    streamName: string,
    messages: readonly MessageInput[],
    options?: AppendOptions | DeferredAppendOptions,
  ): Promise<CommittedAppend> {
    this.#ensureOpen("append");
    parseStreamName(streamName);
    const { expectedVersion: expected, awaitGlobalPosition } = validateAppendOptions(options);
    const checked = validateMessages(messages, this.#limits);
    if (!awaitGlobalPosition && checked.length === 1) {
      const committed = await this.#appendOneDeferred(streamName, checked[0], expected);
      if (committed !== undefined) return committed;
    }
    const payload = JSON.stringify(checked.map((m) => ({ id: m.id, type: m.type, data: m.data, metadata: m.metadata })));
    for (let attempt = 1;; attempt++) {
      let rows: Row[];
      try {
        // A caller that waits for positions lets the append number its rows when
        // the sequencer is free (one commit instead of two); one that does not
        // leaves numbering to the sweep, so its transaction stays the shortest.
        rows = await this.#driver.query(this.#sql.append, [streamName, String(expected), payload, this.#batch, awaitGlobalPosition]);
      } catch (error) {
        if (!isUniqueViolation(error)) throw this.#translate(error, "append");
        // Some id is stored already (a retry), and nothing of this attempt was
        // written. Answer from what is stored; if the stored rows are gone from
        // view (a concurrent writer rolled back), run the append again.
        const stored = await this.#query("append", this.#sql.storedIds, [`{${checked.map((m) => m.id).join(",")}}`]);
        if (stored.length > 0) return await this.#retried(streamName, checked, stored);
        if (attempt < 5) continue;
        throw this.#translate(error, "append");
      }
      const status = rows[0].status;
      if (status === "conflict") {
        const actual = rows[0].stream_version;
        throw new ConcurrencyError(streamName, expected, actual === null ? undefined : Number(actual));
      }
      if (status === "stored") return await this.#retried(streamName, checked, rows);
      if (status === "range") return numberedRange(streamName, checked, rows[0]);
      // Before migration 4 the function listed the rows it numbered.
      if (status === "numbered") return numbered(streamName, rows);
      if (!awaitGlobalPosition) return this.#committed(streamName, checked, Number(rows[0].stream_version));
      return await this.#written(streamName, checked, Number(rows[0].stream_version));
    }
  }

  // One message whose caller does not wait for its position: one plain INSERT
  // that reads the stream's version and checks the expected one itself,
  // about a third faster than the append function (measured, see
  // postgres-global-order.md). It inserts only while holding the stream's
  // lock, as the function does, so the function never meets its row
  // half-written; but it read the version in a snapshot taken before the lock,
  // so after a concurrent append to the stream it fails on the (stream,
  // version) index. Then, as when it finds a conflict or an id already
  // stored, it returns nothing, and the append function decides instead.
  async #appendOneDeferred(streamName: string, message: Message, expected: ExpectedVersion): Promise<CommittedAppend | undefined> {
    const params = [
      message.id,
      streamName,
      typeof expected === "number" ? "version" : expected,
      typeof expected === "number" ? expected : null,
      message.type,
      JSON.stringify(message.data),
      JSON.stringify(message.metadata),
    ];
    let rows: Row[];
    try {
      rows = await this.#driver.query(this.#sql.appendOne, params);
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw this.#translate(error, "append");
    }
    if (rows.length === 0) return undefined;
    return this.#committed(streamName, [message], Number(rows[0].stream_version));
  }

  // The append committed while another transaction held the sequencer lock,
  // and its caller waits for the positions: the next sequencer round of this
  // store numbers its rows (unless someone else did first). Waiting for a
  // shared round, rather than running the sequencer for this append alone,
  // keeps concurrent writers from queueing one numbering transaction each on
  // the lock. Asked afterwards, the sequencer finds the rows numbered and only
  // reads their positions, without the lock.
  async #written(streamName: string, checked: readonly Message[], lastVersion: number): Promise<AppendResult> {
    await this.#rounds.request();
    const positions = await this.#sequence(checked.map((m) => m.id));
    return appendedResult(streamName, checked, lastVersion, (m) => {
      const globalPosition = positions.get(m.id);
      if (globalPosition === undefined) throw new Error(`Message "${m.id}" was written but not numbered`);
      return globalPosition;
    });
  }

  // The append committed unnumbered and its caller does not wait for the
  // numbers: the next sequencer round numbers them, in the background. If it
  // fails (the server went away), the rows stay unnumbered until the next
  // round, the next append that finds the lock free, a stream read, or a
  // waiting reader's poll.
  #committed(streamName: string, checked: readonly Message[], lastVersion: number): CommittedAppend {
    void this.#rounds.request();
    const first = lastVersion - checked.length + 1;
    const positions = checked.map((m, i) => ({ id: m.id, streamVersion: first + i }));
    return { streamName, streamVersion: lastVersion, positions, deduplicated: false };
  }

  // Some ids were stored already: decide with the shared rule, numbering first if needed.
  async #retried(streamName: string, checked: readonly Message[], rows: Row[]): Promise<AppendResult> {
    if (rows.some((row) => row.global_position === null)) {
      const positions = await this.#sequence(rows.map((row) => row.id as string));
      rows = rows.map((row) => ({ ...row, global_position: String(positions.get(row.id as string)) }));
    }
    const byId = new Map<string, StoredPosition>(rows.map((row) => [row.id as string, {
      streamName: row.stream_name as string,
      streamVersion: Number(row.stream_version),
      globalPosition: BigInt(row.global_position as string),
    }]));
    const result = resolveAppendRetry(streamName, checked, checked.map((m) => byId.get(m.id)));
    if (result === undefined) throw new Error("A stored append was reported but no id matched");
    return result;
  }

  // Runs the sequencer; returns the positions of `ids` (or nothing, for a sweep).
  async #sequence(ids: readonly string[] | null): Promise<Map<string, bigint>> {
    let rows: Row[];
    try {
      rows = await this.#driver.query(this.#sql.sequence, [ids === null ? null : `{${ids.join(",")}}`, this.#batch]);
    } catch (error) {
      throw this.#translate(error, "append");
    }
    const positions = new Map<string, bigint>();
    for (const row of rows) {
      if (row.global_position !== null) positions.set(row.id as string, BigInt(row.global_position as string));
    }
    return positions;
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
    const text = direction === "forward" ? this.#sql.readStreamForward : this.#sql.readStreamBackward;
    return await this.#readNumbered("readStream", text, params);
  }

  async readCategory(category: string, options?: ReadGlobalOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readCategory");
    validateCategory(category);
    const { from, limit, types } = validateReadGlobalOptions(options);
    return types === undefined
      ? await this.#read("readCategory", this.#sql.readCategory, [category, String(from), limit])
      : await this.#read("readCategory", this.#sql.readCategoryTypes, [category, String(from), limit, JSON.stringify(types)]);
  }

  async readAll(options?: ReadGlobalOptions): Promise<RecordedMessage[]> {
    this.#ensureOpen("readAll");
    const { from, limit, types } = validateReadGlobalOptions(options);
    return types === undefined
      ? await this.#read("readAll", this.#sql.readAll, [String(from), limit])
      : await this.#read("readAll", this.#sql.readAllTypes, [String(from), limit, JSON.stringify(types)]);
  }

  async getStreamInfo(streamName: string): Promise<StreamInfo> {
    this.#ensureOpen("getStreamInfo");
    parseStreamName(streamName);
    const [last] = await this.#readNumbered("getStreamInfo", this.#sql.readStreamBackward, [streamName, Number.MAX_SAFE_INTEGER, 1]);
    return { streamName, version: last?.streamVersion, globalPosition: last?.globalPosition };
  }

  async headPosition(): Promise<bigint> {
    this.#ensureOpen("headPosition");
    const [row] = await this.#query("headPosition", this.#sql.head, []);
    const head = BigInt(row.head as string);
    if (head > this.#knownHead) this.#knownHead = head;
    return head;
  }

  async waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    if (this.#closed) return false;
    this.#listen();
    const head = await this.headPosition();
    const waiting = this.#waiters.wait(after, head > this.#knownHead ? head : this.#knownHead, options);
    this.#schedulePoll();
    return await waiting;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Sequencer rounds asked for finish first: the caller may end the driver next.
    await this.#rounds.idle();
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
      (payload) => this.#heard(BigInt(payload)),
      // On every (re)connect: whatever was NOTIFYed while the connection was down is lost, so re-read the head.
      () => void this.headPosition().then((head) => this.#heard(head), () => {}),
    );
    this.#listening.catch(() => (this.#listening = undefined));
  }

  #heard(head: bigint): void {
    if (head > this.#knownHead) this.#knownHead = head;
    this.#waiters.notify(head);
  }

  // While readers wait, poll now and then: it covers lost notifications and
  // numbers the rows of writers that died between commit and sequencing.
  #schedulePoll(): void {
    if (this.#pollTimer !== undefined || this.#closed) return;
    this.#pollTimer = setTimeout(async () => {
      try {
        await this.#sequence(null);
        this.#heard(await this.headPosition());
      } catch {
        // Unavailable for now; the next poll tries again.
      }
      this.#pollTimer = undefined;
      if (this.#waiters.size > 0) this.#schedulePoll();
    }, this.#pollInterval);
  }

  // Reads rows that are all numbered (global reads only see numbered rows).
  async #read(operation: string, text: string, params: unknown[]): Promise<RecordedMessage[]> {
    return (await this.#query(operation, text, params)).map(toRecorded);
  }

  // Reads a stream: rows committed but not yet numbered (their writer died
  // before sequencing) are numbered first, so readers never wait on a dead writer.
  async #readNumbered(operation: string, text: string, params: unknown[]): Promise<RecordedMessage[]> {
    let rows = await this.#query(operation, text, params);
    if (rows.some((row) => row.globalPosition === null)) {
      await this.#sequence(null);
      rows = await this.#query(operation, text, params);
    }
    return rows.map(toRecorded);
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

// The append numbered its own rows (it found no sequencer running): the rows are the result.
function numbered(streamName: string, rows: Row[]): AppendResult {
  const positions = rows.map((row) => ({
    id: row.id as string,
    streamVersion: Number(row.stream_version),
    globalPosition: BigInt(row.global_position as string),
  }));
  const last = positions[positions.length - 1];
  return { streamName, streamVersion: last.streamVersion, globalPosition: last.globalPosition, positions, deduplicated: false };
}

// The append numbered its own rows, consecutively: the row holds the last
// version and the last global position.
function numberedRange(streamName: string, checked: readonly Message[], row: Row): AppendResult {
  const lastPosition = BigInt(row.global_position as string);
  return appendedResult(streamName, checked, Number(row.stream_version), (_, i) => lastPosition - BigInt(checked.length - 1 - i));
}

// A fresh append of `checked` whose last message got `lastVersion`: versions
// run consecutively up to it, positions are what `positionOf` says.
function appendedResult(
  streamName: string,
  checked: readonly Message[],
  lastVersion: number,
  positionOf: (message: Message, index: number) => bigint,
): AppendResult {
  const first = lastVersion - checked.length + 1;
  const positions = checked.map((m, i) => ({ id: m.id, streamVersion: first + i, globalPosition: positionOf(m, i) }));
  const last = positions[positions.length - 1];
  return { streamName, streamVersion: lastVersion, globalPosition: last.globalPosition, positions, deduplicated: false };
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

// Every statement the store runs, with the schema filled in once. Exported for
// the bench that measures the write paths one by one, not from mod.ts.
export function statements(s: string) {
  const types = "AND m.type IN (SELECT jsonb_array_elements_text($4::text::jsonb))";
  return {
    append: `SELECT status, id::text AS id, stream_name, stream_version::text AS stream_version, global_position::text AS global_position FROM ${s}.append($1, $2, $3::text::jsonb, $4::int, $5::boolean)`,
    appendOne: `INSERT INTO ${s}.messages (id, stream_name, stream_version, type, data, metadata)
      SELECT $1::uuid, $2, coalesce(last.v, -1) + 1, $5, $6::text::jsonb, $7::text::jsonb
      FROM (SELECT pg_advisory_xact_lock(hashtextextended('${s}.stream/' || $2, 0))) AS stream_lock,
        (SELECT max(m.stream_version) AS v FROM ${s}.messages m WHERE m.stream_name = $2) AS last
      WHERE CASE $3::text WHEN 'any' THEN true WHEN 'no-stream' THEN last.v IS NULL WHEN 'exists' THEN last.v IS NOT NULL
        ELSE last.v = $4::bigint END
      RETURNING stream_version::text AS stream_version`,
    sequence: `SELECT id::text AS id, global_position::text AS global_position FROM ${s}.sequence($1::uuid[], $2::int)`,
    readStreamForward:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.stream_name = $1 AND m.stream_version >= $2::bigint ORDER BY m.stream_version LIMIT $3::bigint`,
    readStreamBackward:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.stream_name = $1 AND m.stream_version <= $2::bigint ORDER BY m.stream_version DESC LIMIT $3::bigint`,
    readCategory:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.category = $1 AND m.global_position >= $2::bigint ORDER BY m.global_position LIMIT $3::int`,
    readCategoryTypes:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.category = $1 AND m.global_position >= $2::bigint ${types} ORDER BY m.global_position LIMIT $3::int`,
    readAll: `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.global_position >= $1::bigint ORDER BY m.global_position LIMIT $2::int`,
    readAllTypes: `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.global_position >= $1::bigint ${types.replace("$4", "$3")} ORDER BY m.global_position LIMIT $2::int`,
    head: `SELECT coalesce(max(global_position), 0)::text AS head FROM ${s}.messages`,
    storedIds:
      `SELECT id::text AS id, stream_name, stream_version::text AS stream_version, global_position::text AS global_position FROM ${s}.messages WHERE id = ANY($1::uuid[])`,
  };
}
