/**
 * The store's tables and functions, as versioned migrations. Every name is
 * qualified with the schema the user chose, so one database can hold several
 * independent stores.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

/**
 * Checks a schema name: lowercase letters, digits and `_`, starting with a
 * letter or `_`, so it never needs quoting and fits in channel names.
 *
 * @example
 * ```ts
 * import { validateSchemaName } from "./schema.ts";
 * validateSchemaName("ordo"); // "ordo"
 * ```
 */
export function validateSchemaName(schema: unknown): string {
  if (typeof schema !== "string" || !IDENTIFIER.test(schema)) {
    throw new ValidationError(
      "options.schema",
      schema,
      "a schema name is 1 to 48 lowercase letters, digits or _, starting with a letter or _",
    );
  }
  return schema;
}

/** The channel on which stores NOTIFY that appends committed. */
export const notifyChannel = (schema: string): string => `ordo_${schema}_appended`;

/**
 * How a NOTIFY on that channel carries a readable head, so that listeners
 * need not query one. Payloads in any other form (empty from plain SQL or
 * from older stores, a bare number from older migrations' functions) say
 * only that something committed: the listener asks for the head itself.
 */
export const HEAD_PAYLOAD_PREFIX = "head:";

/** The readable head a NOTIFY payload carries, if it carries one. */
export function headInPayload(payload: string): bigint | undefined {
  if (!payload.startsWith(HEAD_PAYLOAD_PREFIX)) return undefined;
  const digits = payload.slice(HEAD_PAYLOAD_PREFIX.length);
  return /^[0-9]{1,19}$/.test(digits) ? BigInt(digits) : undefined;
}

/**
 * Advisory lock keys. The migration key serializes migrations from several
 * processes; the sequencer's key, used up to migration 4, made it the single
 * writer of global positions.
 * The first key is fixed (it reads "ordo"), the second depends on the schema.
 */
export const LOCK_CLASS = 0x6f72646f;

/** One migration: its number and its script. Scripts only ever get appended to this list. */
export interface Migration {
  /** 1, 2, 3, …: the schema's version once this script ran, stored in the schema's migrations table. */
  readonly version: number;
  /** The SQL to run, for the store's schema name (already validated). */
  readonly script: (schema: string) => string;
}

/** Every migration in version order; `migrate()` runs those a schema has not had yet, each in its own transaction. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    script: (s) => `
CREATE TABLE ${s}.streams (
  stream_name text PRIMARY KEY,
  version bigint NOT NULL
);

CREATE TABLE ${s}.messages (
  -- The idempotency key: a second append of the same id fails on this index
  -- and, being one statement, rolls back whole.
  id uuid PRIMARY KEY,
  -- Insertion order; orders the rows a sequencer batch numbers. Only the
  -- partial index below covers it: rows are looked up by seq only while unnumbered.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  stream_name text NOT NULL,
  category text NOT NULL GENERATED ALWAYS AS (split_part(stream_name, '-', 1)) STORED,
  stream_version bigint NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  -- NULL until the sequencer numbers the committed row; readers only see numbered rows.
  global_position bigint UNIQUE,
  UNIQUE (stream_name, stream_version)
);

CREATE INDEX messages_category ON ${s}.messages (category, global_position) WHERE global_position IS NOT NULL;
CREATE INDEX messages_unsequenced ON ${s}.messages (seq) WHERE global_position IS NULL;

${appendFunction(s, false)}
-- Numbers every committed row that has no global position yet, in insertion
-- order, after the current maximum; returns the new maximum. The caller must
-- hold the sequencer lock, and each statement here takes a fresh snapshot, so
-- it sees every append committed before the lock was granted, including the
-- previous holder's numbers.
CREATE FUNCTION ${s}.number_committed(p_batch int)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  head bigint;
  numbered int;
BEGIN
  SELECT coalesce(max(m.global_position), 0) INTO head FROM ${s}.messages m;
  LOOP
    -- Rows are joined by ctid: only the lock holder updates rows, so it is stable here.
    WITH batch AS (
      SELECT u.ctid AS row_id, row_number() OVER (ORDER BY u.seq) AS n
      FROM (SELECT x.ctid, x.seq FROM ${s}.messages x WHERE x.global_position IS NULL ORDER BY x.seq LIMIT p_batch) u
    )
    UPDATE ${s}.messages m SET global_position = head + batch.n FROM batch WHERE m.ctid = batch.row_id;
    GET DIAGNOSTICS numbered = ROW_COUNT;
    head := head + numbered;
    EXIT WHEN numbered < p_batch;
  END LOOP;
  RETURN head;
END
$fn$;

-- The sequencer, for rows committed without a number (their writer found the
-- lock taken): waits for the lock, numbers every committed row, NOTIFYs
-- readers with the new head, and returns the positions of p_ids. When every
-- id in p_ids is already numbered it returns at once, without the lock and
-- without writing.
CREATE FUNCTION ${s}.sequence(p_ids uuid[], p_batch int)
RETURNS TABLE (id uuid, global_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  start_head bigint;
  head bigint;
BEGIN
  IF p_ids IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM ${s}.messages m WHERE m.id = ANY(p_ids) AND m.global_position IS NULL
  ) THEN
    RETURN QUERY SELECT m.id, m.global_position FROM ${s}.messages m WHERE m.id = ANY(p_ids);
    RETURN;
  END IF;

  PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, hashtext('${s}.sequencer'));
  SELECT coalesce(max(m.global_position), 0) INTO start_head FROM ${s}.messages m;
  head := ${s}.number_committed(p_batch);
  IF head > start_head THEN
    PERFORM pg_notify('${notifyChannel(s)}', head::text);
  END IF;

  RETURN QUERY SELECT m.id, m.global_position FROM ${s}.messages m WHERE m.id = ANY(p_ids);
END
$fn$;
`,
  },
  {
    version: 2,
    script: (s) => `
-- Consumers: where each group's partitions will read next.
CREATE TABLE ${s}.checkpoints (
  grp text NOT NULL,
  partition int NOT NULL,
  position bigint NOT NULL,
  PRIMARY KEY (grp, partition)
);

-- Messages a consumer gave up on, with why; listed in global order.
CREATE TABLE ${s}.parked (
  grp text NOT NULL,
  message_id uuid NOT NULL,
  partition int NOT NULL,
  global_position bigint NOT NULL,
  message jsonb NOT NULL,
  error jsonb NOT NULL,
  attempts int NOT NULL,
  parked_at timestamptz NOT NULL,
  PRIMARY KEY (grp, message_id)
);
CREATE INDEX parked_in_order ON ${s}.parked (grp, global_position);

-- Effects already done (idempotency keys), per scope.
CREATE TABLE ${s}.processed (
  scope text NOT NULL,
  key text NOT NULL,
  PRIMARY KEY (scope, key)
);

-- Consumer group members and partition leases. Expiry is by the database's
-- clock. A released lease keeps its row (owner NULL) so tokens keep growing.
CREATE TABLE ${s}.members (
  grp text NOT NULL,
  member text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (grp, member)
);
CREATE TABLE ${s}.leases (
  grp text NOT NULL,
  partition int NOT NULL,
  owner text,
  token bigint NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (grp, partition)
);
`,
  },
  {
    version: 3,
    script: (s) => `
-- p_number = false: never number inside the append, even with the sequencer
-- lock free; the caller resolves at commit and a sweep numbers the rows.
${appendFunction(s, true)}
-- The four-argument form stays for processes still running the older code.
CREATE OR REPLACE FUNCTION ${s}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int)
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE sql AS $fn$ SELECT * FROM ${s}.append(p_stream, p_expected, p_messages, p_batch, true) $fn$;
`,
  },
  {
    version: 4,
    script: (s) => `
-- A stream's version is read from its messages, under a per-stream advisory
-- lock, instead of kept in a streams row: that row was a second table written
-- (and WAL-logged) by every append. See postgres-global-order.md.
${appendFromMessagesFunction(s)}
DROP TABLE ${s}.streams;

-- Unnumbered rows stay out of the global-position index: a NULL key gained
-- nothing there, and sixteen writers' NULLs all went to the same last page.
CREATE UNIQUE INDEX messages_global_position ON ${s}.messages (global_position) WHERE global_position IS NOT NULL;
ALTER TABLE ${s}.messages DROP CONSTRAINT messages_global_position_key;
`,
  },
  {
    version: 5,
    script: (s) => `
-- Positions are handed out at insert, from a sequence, and readers stop at the
-- readable head: below it no ordo writer is still in flight. The sequencer,
-- which rewrote every row after its commit, is gone. See postgres-global-order.md.

-- Wait for every append in flight, and hold new ones off until this commits;
-- then rows committed without a number get one, under the old rule.
LOCK TABLE ${s}.messages IN ACCESS EXCLUSIVE MODE;
SELECT ${s}.number_committed(10000);

CREATE SEQUENCE ${s}.positions AS bigint OWNED BY ${s}.messages.global_position;
SELECT setval('${s}.positions', head, true) FROM (SELECT max(global_position) AS head FROM ${s}.messages) m WHERE head IS NOT NULL;
${positionFunctions(s)}
ALTER TABLE ${s}.messages ALTER COLUMN global_position SET DEFAULT ${s}.next_position(),
  ALTER COLUMN global_position SET NOT NULL;
-- seq ordered unnumbered rows for the sequencer; its partial index goes with it.
ALTER TABLE ${s}.messages DROP COLUMN seq;
DROP FUNCTION ${s}.number_committed(int);
${appendAtInsertFunction(s)}
-- The older forms stay for processes still running older code (see README):
-- they append the same way and get every row's position back.
CREATE OR REPLACE FUNCTION ${s}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int, p_number boolean)
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE sql AS $fn$ SELECT * FROM ${s}.append(p_stream, p_expected, p_messages) $fn$;
CREATE OR REPLACE FUNCTION ${s}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int)
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE sql AS $fn$ SELECT * FROM ${s}.append(p_stream, p_expected, p_messages) $fn$;
-- Every row is numbered at commit: sequence only looks positions up, and a
-- sweep (p_ids NULL) of an older process still wakes readers.
CREATE OR REPLACE FUNCTION ${s}.sequence(p_ids uuid[], p_batch int)
RETURNS TABLE (id uuid, global_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
BEGIN
  IF p_ids IS NULL THEN
    PERFORM pg_notify('${notifyChannel(s)}', ${s}.readable_head()::text);
  END IF;
  RETURN QUERY SELECT m.id, m.global_position FROM ${s}.messages m WHERE m.id = ANY(p_ids);
END
$fn$;
`,
  },
  {
    version: 6,
    script: (s) => `
-- A global read up to the readable head in one round trip: a reader that is
-- near the head (a woken consumer) otherwise asks for the head and reads
-- after it, two round trips. See postgres-global-order.md, "Global reads".
${readToHeadFunction(s)}
`,
  },
];

// Migration 6's read: the head first, in readable_head()'s own statements,
// then the page, in a statement of its own that starts after them (each
// statement of a volatile PL/pgSQL function takes a fresh snapshot), so the
// page sees every row at or below the head. The first row returned is the
// head alone, in "globalPosition", every other column NULL; the messages
// follow in global order. A NULL category reads all; NULL types, every type.
function readToHeadFunction(s: string): string {
  const columns =
    `m.id::text, m.type, m.data::text, m.metadata::text, m.stream_name, m.stream_version::float8, m.global_position::text`;
  const types = "(p_types IS NULL OR m.type = ANY (p_types))";
  return `CREATE FUNCTION ${s}.read_to_head(p_from bigint, p_limit int, p_category text, p_types text[])
RETURNS TABLE (id text, type text, data text, metadata text, "streamName" text, "streamVersion" float8, "globalPosition" text)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  head bigint;
BEGIN
  head := ${s}.readable_head();
  RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::float8, head::text;
  IF p_category IS NULL THEN
    RETURN QUERY SELECT ${columns} FROM ${s}.messages m
      WHERE m.global_position BETWEEN p_from AND head AND ${types} ORDER BY m.global_position LIMIT p_limit;
  ELSE
    RETURN QUERY SELECT ${columns} FROM ${s}.messages m
      WHERE m.category = p_category AND m.global_position BETWEEN p_from AND head AND ${types}
      ORDER BY m.global_position LIMIT p_limit;
  END IF;
END
$fn$;`;
}

// The first key of every writer's bound lock in schema s; readable_head() looks for it.
const boundKey = (s: string): string => `hashtext('${s}.positions')`;

/**
 * The SQL call that takes a writer's bound: a shared advisory lock on the
 * schema's bound key and the low 32 bits of `handedOut` (an SQL expression for
 * the last position handed out). next_position(), hold_bound() and the store's
 * one-message statement all take it this way, so readable_head() finds it.
 */
export const holdBound = (s: string, handedOut: string): string =>
  `pg_advisory_xact_lock_shared(${boundKey(s)}, (${handedOut} % 4294967296 - 2147483648)::int)`;

// Migration 5's two halves of the ordering argument (postgres-global-order.md,
// "Readable head"). A writer, before its first position, takes a shared
// advisory lock whose key carries a bound: the last position handed out so
// far, which every position it gets will exceed. A reader reads the last
// position handed out, then every bound held (pg_locks, one atomic snapshot
// of the lock table), and stops below the lowest: every position at or below
// the head belongs to a transaction that has ended, and a statement that
// starts afterwards sees its rows. Only ordo's writers hold these locks, so
// an unrelated transaction never holds readers back.
function positionFunctions(s: string): string {
  const key = boundKey(s);
  // The body both writer functions share, once per transaction.
  const takeBound = `IF current_setting('ordo.writing_${s}', true) IS DISTINCT FROM 'on' THEN
    SELECT last_value - (NOT is_called)::int INTO handed_out FROM ${s}.positions;
    -- Two 32-bit keys: the schema's, and the bound's low 32 bits (readers
    -- restore the rest; no writer is 2^32 positions behind).
    PERFORM ${holdBound(s, "handed_out")};
    PERFORM set_config('ordo.writing_${s}', 'on', true);
  END IF;`;
  return `-- Takes the writer's bound, once per transaction (the setting is
-- transaction-local, and so is the lock): every position taken afterwards
-- exceeds it.
CREATE FUNCTION ${s}.hold_bound()
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  handed_out bigint;
BEGIN
  ${takeBound}
END
$fn$;

-- The default of global_position: the next position, the writer's bound held
-- (hold_bound's body, not a call to it: one PL/pgSQL call per row instead of two).
CREATE FUNCTION ${s}.next_position()
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  handed_out bigint;
BEGIN
  ${takeBound}
  RETURN nextval('${s}.positions');
END
$fn$;

-- The highest position a reader may read up to: the last message at or below
-- the lowest bound still held, or below the last position handed out. Each
-- statement here takes its own snapshot, in this order.
CREATE FUNCTION ${s}.readable_head()
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  handed_out bigint;
  bounds bigint[];
  latest bigint;
  horizon bigint;
BEGIN
  -- Lock order: the messages table before its sequence, as appends and
  -- TRUNCATE … RESTART IDENTITY take them; the other order deadlocked with
  -- such a TRUNCATE (seen in the tests). The lock lasts to the end of the call.
  PERFORM FROM ${s}.messages LIMIT 0;
  SELECT last_value - (NOT is_called)::int INTO handed_out FROM ${s}.positions;
  SELECT array_agg((l.objid::bigint + 2147483648) % 4294967296) INTO bounds
    FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid::bigint = (${key}::bigint & 4294967295)
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database());
  -- Every bound seen was taken after this was handed out: it restores their high bits.
  SELECT last_value - (NOT is_called)::int INTO latest FROM ${s}.positions;
  SELECT least(handed_out, min(latest - ((latest - b) % 4294967296 + 4294967296) % 4294967296))
    INTO horizon FROM unnest(bounds) b;
  RETURN coalesce((SELECT max(m.global_position) FROM ${s}.messages m WHERE m.global_position <= horizon), 0);
END
$fn$;
`;
}

// Migration 5's append: as migration 4's, but rows take their positions at
// insert (the writer's bound, then the sequence) and the result always holds
// them: one range row, or every row when another writer took positions between.
function appendAtInsertFunction(s: string): string {
  return `-- One append, in one statement and so one transaction. Appends to one stream
-- queue on the stream's advisory lock; the next statement takes a fresh
-- snapshot, so the version it reads includes the previous holder's commit,
-- and the expected version is checked against it. An id already stored fails
-- the insert (unique violation) and rolls everything back; the caller then
-- looks the ids up. Returns a conflict with the current version ('conflict'),
-- the rows already stored when a conflict turns out to be a retry ('stored'),
-- the last version and last position when the rows got consecutive positions
-- ('range', the common case: one row says it all), or else each row written
-- with its version and position ('numbered': another writer took positions
-- in between).
CREATE FUNCTION ${s}.append(p_stream text, p_expected text, p_messages jsonb)
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  n int := jsonb_array_length(p_messages);
  actual bigint;
  matches boolean;
  last_version bigint;
  first_position bigint;
  last_position bigint;
BEGIN
${versionCheck(s)}
  -- The bound once, then positions straight from the sequence (cheaper than
  -- the column's default per row). Rows go in in batch order, so their
  -- positions follow their versions.
  PERFORM ${s}.hold_bound();
  WITH inserted AS (
    INSERT INTO ${s}.messages (global_position, id, stream_name, stream_version, type, data, metadata)
      SELECT nextval('${s}.positions'), (e.value->>'id')::uuid, p_stream, last_version - n + e.ordinality, e.value->>'type',
             e.value->'data', e.value->'metadata'
      FROM jsonb_array_elements(p_messages) WITH ORDINALITY e ORDER BY e.ordinality
      RETURNING messages.global_position
  ) SELECT min(i.global_position), max(i.global_position) INTO first_position, last_position FROM inserted i;
  IF last_position - first_position = n - 1 THEN
    RETURN QUERY SELECT 'range'::text, NULL::uuid, p_stream, last_version, last_position;
    RETURN;
  END IF;
  RETURN QUERY SELECT 'numbered'::text, m.id, p_stream, m.stream_version, m.global_position
    FROM ${s}.messages m WHERE m.stream_name = p_stream AND m.stream_version > last_version - n;
END
$fn$;
`;
}

// The append function of migrations 1 and 3 (migration 4 replaced its body;
// these texts stay as they were run). Migration 1 created it without p_number; migration 3
// adds p_number, so that an append whose caller does not wait for global
// positions leaves all numbering to the sequencer (see postgres-global-order.md).
// One template keeps the two from drifting; migration 1's text is unchanged by it.
function appendFunction(s: string, withNumberFlag: boolean): string {
  return `-- One append, in one statement and so one transaction: the expected-version
-- check and the insert. An id already stored fails the insert (unique
-- violation) and rolls everything back; the caller then looks the ids up.
-- Returns a conflict with the current version ('conflict'), the rows already
-- stored when a conflict turns out to be a retry ('stored'), the numbered rows
-- ('numbered'), or the version of the last message written ('written').
CREATE FUNCTION ${s}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int${
    withNumberFlag ? ", p_number boolean" : ""
  })
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  n int := jsonb_array_length(p_messages);
  ids uuid[] := ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements(p_messages) e);
  last_version bigint;
  actual bigint;
  head bigint;
BEGIN
  IF p_expected = 'any' THEN
    INSERT INTO ${s}.streams AS t (stream_name, version) VALUES (p_stream, n - 1)
      ON CONFLICT ON CONSTRAINT streams_pkey DO UPDATE SET version = t.version + n
      RETURNING t.version INTO last_version;
  ELSIF p_expected = 'no-stream' THEN
    INSERT INTO ${s}.streams AS t (stream_name, version) VALUES (p_stream, n - 1)
      ON CONFLICT ON CONSTRAINT streams_pkey DO NOTHING
      RETURNING t.version INTO last_version;
    -- The row that blocked the insert is committed, so this read finds it.
    IF last_version IS NULL THEN
      SELECT t.version INTO actual FROM ${s}.streams t WHERE t.stream_name = p_stream;
    END IF;
  ELSIF p_expected = 'exists' THEN
    UPDATE ${s}.streams t SET version = t.version + n WHERE t.stream_name = p_stream
      RETURNING t.version INTO last_version;
    -- No row in this statement's snapshot: the stream did not exist; actual stays NULL.
  ELSE
    -- Lock the stream's row (waiting for a concurrent writer to finish), then
    -- decide on the version read under that lock: the conflict reported is
    -- the one that was decided on, never a later state.
    SELECT t.version INTO actual FROM ${s}.streams t WHERE t.stream_name = p_stream FOR UPDATE;
    IF actual = p_expected::bigint THEN
      UPDATE ${s}.streams t SET version = t.version + n WHERE t.stream_name = p_stream
        RETURNING t.version INTO last_version;
    END IF;
  END IF;

  IF last_version IS NULL THEN
    -- A concurrent append of this very batch may have committed while this one
    -- waited for the stream's row: then this is a retry, not a conflict.
    RETURN QUERY SELECT 'stored'::text, m.id, m.stream_name, m.stream_version, m.global_position
      FROM ${s}.messages m WHERE m.id = ANY(ids);
    IF FOUND THEN RETURN; END IF;
    RETURN QUERY SELECT 'conflict'::text, NULL::uuid, p_stream, actual, NULL::bigint;
    RETURN;
  END IF;

  -- When no sequencer is running, this transaction becomes the sequencer: the
  -- lock is held until commit, so numbering its own rows here is as safe as
  -- numbering them after the commit, and saves a second transaction and a
  -- rewrite of every row. Committed rows still waiting for a number are
  -- numbered first, so that stream order and global order agree.
  IF ${
    withNumberFlag ? "p_number AND " : ""
  }pg_try_advisory_xact_lock(${LOCK_CLASS}, hashtext('${s}.sequencer')) THEN
    head := ${s}.number_committed(p_batch);
    RETURN QUERY WITH inserted AS (
      INSERT INTO ${s}.messages (id, stream_name, stream_version, type, data, metadata, global_position)
        SELECT (e.value->>'id')::uuid, p_stream, last_version - n + e.ordinality, e.value->>'type',
               e.value->'data', e.value->'metadata', head + e.ordinality
        FROM jsonb_array_elements(p_messages) WITH ORDINALITY e
        ORDER BY e.ordinality
        RETURNING messages.id, messages.stream_name, messages.stream_version, messages.global_position
    ) SELECT 'numbered'::text, i.id, i.stream_name, i.stream_version, i.global_position FROM inserted i;
    PERFORM pg_notify('${notifyChannel(s)}', (head + n)::text);
    RETURN;
  END IF;

  INSERT INTO ${s}.messages (id, stream_name, stream_version, type, data, metadata)
    SELECT (e.value->>'id')::uuid, p_stream, last_version - n + e.ordinality, e.value->>'type',
           e.value->'data', e.value->'metadata'
    FROM jsonb_array_elements(p_messages) WITH ORDINALITY e
    ORDER BY e.ordinality;
  RETURN QUERY SELECT 'written'::text, NULL::uuid, p_stream, last_version, NULL::bigint;
END
$fn$;
`;
}

// The append function since migration 4: the stream's version is the version
// of its last message, read under a per-stream advisory lock (a 64-bit key,
// so it never meets the two-key sequencer and migration locks), and an append
// that numbers its own rows returns one row for the whole range.
function appendFromMessagesFunction(s: string): string {
  return `-- One append, in one statement and so one transaction. Appends to one stream
-- queue on the stream's advisory lock; the next statement takes a fresh
-- snapshot, so the version it reads includes the previous holder's commit,
-- and the expected version is checked against it. An id already stored fails
-- the insert (unique violation) and rolls everything back; the caller then
-- looks the ids up. Returns a conflict with the current version ('conflict'),
-- the rows already stored when a conflict turns out to be a retry ('stored'),
-- the last version and last global position of rows it numbered itself
-- ('range': consecutive positions, so one row says it all), or the version of
-- the last message written unnumbered ('written').
CREATE OR REPLACE FUNCTION ${s}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int, p_number boolean)
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  n int := jsonb_array_length(p_messages);
  actual bigint;
  matches boolean;
  last_version bigint;
  head bigint;
BEGIN
${versionCheck(s)}
  -- When no sequencer is running and the caller waits for positions, this
  -- transaction becomes the sequencer, as in the earlier version of this
  -- function, and numbers its rows after every committed one (head). Else
  -- head stays NULL and so do the rows' positions, for a sequencer to fill.
  IF p_number AND pg_try_advisory_xact_lock(${LOCK_CLASS}, hashtext('${s}.sequencer')) THEN
    head := ${s}.number_committed(p_batch);
  END IF;
  -- Rows go in in batch order, so that their seq follows their versions.
  INSERT INTO ${s}.messages (id, stream_name, stream_version, type, data, metadata, global_position)
    SELECT (e.value->>'id')::uuid, p_stream, last_version - n + e.ordinality, e.value->>'type',
           e.value->'data', e.value->'metadata', head + e.ordinality
    FROM jsonb_array_elements(p_messages) WITH ORDINALITY e ORDER BY e.ordinality;
  IF head IS NULL THEN
    RETURN QUERY SELECT 'written'::text, NULL::uuid, p_stream, last_version, NULL::bigint;
    RETURN;
  END IF;
  PERFORM pg_notify('${notifyChannel(s)}', (head + n)::text);
  RETURN QUERY SELECT 'range'::text, NULL::uuid, p_stream, last_version, head + n;
END
$fn$;
`;
}

/**
 * The script that brings a schema to the newest migration: safe to run from
 * several processes at once (an advisory lock serializes them) and as often
 * as wanted (each migration runs once, recorded in `migrations`).
 */
export function migrationScript(schema: string): string {
  const steps = MIGRATIONS.map((m) => `
DO $migrate$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${schema}.migrations WHERE version = ${m.version}) THEN
    EXECUTE ${dollarQuote(m.script(schema))};
    INSERT INTO ${schema}.migrations (version) VALUES (${m.version});
  END IF;
END $migrate$;`).join("\n");
  return `
SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext('${schema}.migrate'));
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
${steps}
`;
}

// Quotes a script for EXECUTE with a dollar tag that the script does not contain.
function dollarQuote(script: string): string {
  let tag = "$m$";
  for (let i = 0; script.includes(tag); i++) tag = `$m${i}$`;
  return `${tag}${script}${tag}`;
}

// The start shared by the append functions of migrations 4 and 5: the
// stream's lock, its version read after it, and the expected-version check,
// returning 'stored' or 'conflict' when it fails; then last_version is the
// version the batch's last message gets.
function versionCheck(s: string): string {
  return `  PERFORM pg_advisory_xact_lock(hashtextextended('${s}.stream/' || p_stream, 0));
  SELECT max(m.stream_version) INTO actual FROM ${s}.messages m WHERE m.stream_name = p_stream;
  IF p_expected = 'any' THEN
    matches := true;
  ELSIF p_expected = 'no-stream' THEN
    matches := actual IS NULL;
  ELSIF p_expected = 'exists' THEN
    matches := actual IS NOT NULL;
  ELSE
    matches := coalesce(actual = p_expected::bigint, false);
  END IF;

  IF NOT matches THEN
    -- A concurrent append of this very batch may have committed while this one
    -- waited for the stream's lock: then this is a retry, not a conflict.
    RETURN QUERY SELECT 'stored'::text, m.id, m.stream_name, m.stream_version, m.global_position
      FROM ${s}.messages m WHERE m.id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(p_messages) e);
    IF FOUND THEN RETURN; END IF;
    RETURN QUERY SELECT 'conflict'::text, NULL::uuid, p_stream, actual, NULL::bigint;
    RETURN;
  END IF;
  last_version := coalesce(actual, -1) + n;
`;
}
