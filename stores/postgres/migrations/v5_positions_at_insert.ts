/**
 * Migration 5 as released: positions are taken at insert from a sequence, writers hold a
 * bound and readers stop at readable_head(); the sequencer is retired.
 *
 * Frozen: databases have run this text, so it never changes, and
 * tests/stores/postgres_migrations_frozen.test.ts pins its SHA-256. A change to
 * the schema is a new migration (docs/decisions/postgres-migrations.md).
 *
 * @module
 */

/** Migration 5's script; `{{schema}}` stands for the schema's name. */
export const MIGRATION_5 = `
-- Positions are handed out at insert, from a sequence, and readers stop at the
-- readable head: below it no ordo writer is still in flight. The sequencer,
-- which rewrote every row after its commit, is gone. See postgres-global-order.md.

-- Wait for every append in flight, and hold new ones off until this commits;
-- then rows committed without a number get one, under the old rule.
LOCK TABLE {{schema}}.messages IN ACCESS EXCLUSIVE MODE;
SELECT {{schema}}.number_committed(10000);

CREATE SEQUENCE {{schema}}.positions AS bigint OWNED BY {{schema}}.messages.global_position;
SELECT setval('{{schema}}.positions', head, true) FROM (SELECT max(global_position) AS head FROM {{schema}}.messages) m WHERE head IS NOT NULL;
-- Takes the writer's bound, once per transaction (the setting is
-- transaction-local, and so is the lock): every position taken afterwards
-- exceeds it.
CREATE FUNCTION {{schema}}.hold_bound()
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  handed_out bigint;
BEGIN
  IF current_setting('ordo.writing_{{schema}}', true) IS DISTINCT FROM 'on' THEN
    SELECT last_value - (NOT is_called)::int INTO handed_out FROM {{schema}}.positions;
    -- Two 32-bit keys: the schema's, and the bound's low 32 bits (readers
    -- restore the rest; no writer is 2^32 positions behind).
    PERFORM pg_advisory_xact_lock_shared(hashtext('{{schema}}.positions'), (handed_out % 4294967296 - 2147483648)::int);
    PERFORM set_config('ordo.writing_{{schema}}', 'on', true);
  END IF;
END
$fn$;

-- The default of global_position: the next position, the writer's bound held
-- (hold_bound's body, not a call to it: one PL/pgSQL call per row instead of two).
CREATE FUNCTION {{schema}}.next_position()
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  handed_out bigint;
BEGIN
  IF current_setting('ordo.writing_{{schema}}', true) IS DISTINCT FROM 'on' THEN
    SELECT last_value - (NOT is_called)::int INTO handed_out FROM {{schema}}.positions;
    -- Two 32-bit keys: the schema's, and the bound's low 32 bits (readers
    -- restore the rest; no writer is 2^32 positions behind).
    PERFORM pg_advisory_xact_lock_shared(hashtext('{{schema}}.positions'), (handed_out % 4294967296 - 2147483648)::int);
    PERFORM set_config('ordo.writing_{{schema}}', 'on', true);
  END IF;
  RETURN nextval('{{schema}}.positions');
END
$fn$;

-- The highest position a reader may read up to: the last message at or below
-- the lowest bound still held, or below the last position handed out. Each
-- statement here takes its own snapshot, in this order.
CREATE FUNCTION {{schema}}.readable_head()
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
  PERFORM FROM {{schema}}.messages LIMIT 0;
  SELECT last_value - (NOT is_called)::int INTO handed_out FROM {{schema}}.positions;
  SELECT array_agg((l.objid::bigint + 2147483648) % 4294967296) INTO bounds
    FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid::bigint = (hashtext('{{schema}}.positions')::bigint & 4294967295)
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database());
  -- Every bound seen was taken after this was handed out: it restores their high bits.
  SELECT last_value - (NOT is_called)::int INTO latest FROM {{schema}}.positions;
  SELECT least(handed_out, min(latest - ((latest - b) % 4294967296 + 4294967296) % 4294967296))
    INTO horizon FROM unnest(bounds) b;
  RETURN coalesce((SELECT max(m.global_position) FROM {{schema}}.messages m WHERE m.global_position <= horizon), 0);
END
$fn$;

ALTER TABLE {{schema}}.messages ALTER COLUMN global_position SET DEFAULT {{schema}}.next_position(),
  ALTER COLUMN global_position SET NOT NULL;
-- seq ordered unnumbered rows for the sequencer; its partial index goes with it.
ALTER TABLE {{schema}}.messages DROP COLUMN seq;
DROP FUNCTION {{schema}}.number_committed(int);
-- One append, in one statement and so one transaction. Appends to one stream
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
CREATE FUNCTION {{schema}}.append(p_stream text, p_expected text, p_messages jsonb)
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
  PERFORM pg_advisory_xact_lock(hashtextextended('{{schema}}.stream/' || p_stream, 0));
  SELECT max(m.stream_version) INTO actual FROM {{schema}}.messages m WHERE m.stream_name = p_stream;
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
      FROM {{schema}}.messages m WHERE m.id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(p_messages) e);
    IF FOUND THEN RETURN; END IF;
    RETURN QUERY SELECT 'conflict'::text, NULL::uuid, p_stream, actual, NULL::bigint;
    RETURN;
  END IF;
  last_version := coalesce(actual, -1) + n;

  -- The bound once, then positions straight from the sequence (cheaper than
  -- the column's default per row). Rows go in in batch order, so their
  -- positions follow their versions.
  PERFORM {{schema}}.hold_bound();
  WITH inserted AS (
    INSERT INTO {{schema}}.messages (global_position, id, stream_name, stream_version, type, data, metadata)
      SELECT nextval('{{schema}}.positions'), (e.value->>'id')::uuid, p_stream, last_version - n + e.ordinality, e.value->>'type',
             e.value->'data', e.value->'metadata'
      FROM jsonb_array_elements(p_messages) WITH ORDINALITY e ORDER BY e.ordinality
      RETURNING messages.global_position
  ) SELECT min(i.global_position), max(i.global_position) INTO first_position, last_position FROM inserted i;
  IF last_position - first_position = n - 1 THEN
    RETURN QUERY SELECT 'range'::text, NULL::uuid, p_stream, last_version, last_position;
    RETURN;
  END IF;
  RETURN QUERY SELECT 'numbered'::text, m.id, p_stream, m.stream_version, m.global_position
    FROM {{schema}}.messages m WHERE m.stream_name = p_stream AND m.stream_version > last_version - n;
END
$fn$;

-- The older forms stay for processes still running older code (see README):
-- they append the same way and get every row's position back.
CREATE OR REPLACE FUNCTION {{schema}}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int, p_number boolean)
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE sql AS $fn$ SELECT * FROM {{schema}}.append(p_stream, p_expected, p_messages) $fn$;
CREATE OR REPLACE FUNCTION {{schema}}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int)
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE sql AS $fn$ SELECT * FROM {{schema}}.append(p_stream, p_expected, p_messages) $fn$;
-- Every row is numbered at commit: sequence only looks positions up, and a
-- sweep (p_ids NULL) of an older process still wakes readers.
CREATE OR REPLACE FUNCTION {{schema}}.sequence(p_ids uuid[], p_batch int)
RETURNS TABLE (id uuid, global_position bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
BEGIN
  IF p_ids IS NULL THEN
    PERFORM pg_notify('ordo_{{schema}}_appended', {{schema}}.readable_head()::text);
  END IF;
  RETURN QUERY SELECT m.id, m.global_position FROM {{schema}}.messages m WHERE m.id = ANY(p_ids);
END
$fn$;
`;
