/**
 * Migration 3 as released: append() takes p_number, so that an append whose caller does not
 * wait for positions leaves numbering to the sequencer; the four-argument form stays.
 *
 * Frozen: databases have run this text, so it never changes, and
 * tests/stores/postgres_migrations_frozen.test.ts pins its SHA-256. A change to
 * the schema is a new migration (docs/decisions/postgres-migrations.md).
 *
 * @module
 */

/** Migration 3's script; `{{schema}}` stands for the schema's name. */
export const MIGRATION_3 = `
-- p_number = false: never number inside the append, even with the sequencer
-- lock free; the caller resolves at commit and a sweep numbers the rows.
-- One append, in one statement and so one transaction: the expected-version
-- check and the insert. An id already stored fails the insert (unique
-- violation) and rolls everything back; the caller then looks the ids up.
-- Returns a conflict with the current version ('conflict'), the rows already
-- stored when a conflict turns out to be a retry ('stored'), the numbered rows
-- ('numbered'), or the version of the last message written ('written').
CREATE FUNCTION {{schema}}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int, p_number boolean)
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
    INSERT INTO {{schema}}.streams AS t (stream_name, version) VALUES (p_stream, n - 1)
      ON CONFLICT ON CONSTRAINT streams_pkey DO UPDATE SET version = t.version + n
      RETURNING t.version INTO last_version;
  ELSIF p_expected = 'no-stream' THEN
    INSERT INTO {{schema}}.streams AS t (stream_name, version) VALUES (p_stream, n - 1)
      ON CONFLICT ON CONSTRAINT streams_pkey DO NOTHING
      RETURNING t.version INTO last_version;
    -- The row that blocked the insert is committed, so this read finds it.
    IF last_version IS NULL THEN
      SELECT t.version INTO actual FROM {{schema}}.streams t WHERE t.stream_name = p_stream;
    END IF;
  ELSIF p_expected = 'exists' THEN
    UPDATE {{schema}}.streams t SET version = t.version + n WHERE t.stream_name = p_stream
      RETURNING t.version INTO last_version;
    -- No row in this statement's snapshot: the stream did not exist; actual stays NULL.
  ELSE
    -- Lock the stream's row (waiting for a concurrent writer to finish), then
    -- decide on the version read under that lock: the conflict reported is
    -- the one that was decided on, never a later state.
    SELECT t.version INTO actual FROM {{schema}}.streams t WHERE t.stream_name = p_stream FOR UPDATE;
    IF actual = p_expected::bigint THEN
      UPDATE {{schema}}.streams t SET version = t.version + n WHERE t.stream_name = p_stream
        RETURNING t.version INTO last_version;
    END IF;
  END IF;

  IF last_version IS NULL THEN
    -- A concurrent append of this very batch may have committed while this one
    -- waited for the stream's row: then this is a retry, not a conflict.
    RETURN QUERY SELECT 'stored'::text, m.id, m.stream_name, m.stream_version, m.global_position
      FROM {{schema}}.messages m WHERE m.id = ANY(ids);
    IF FOUND THEN RETURN; END IF;
    RETURN QUERY SELECT 'conflict'::text, NULL::uuid, p_stream, actual, NULL::bigint;
    RETURN;
  END IF;

  -- When no sequencer is running, this transaction becomes the sequencer: the
  -- lock is held until commit, so numbering its own rows here is as safe as
  -- numbering them after the commit, and saves a second transaction and a
  -- rewrite of every row. Committed rows still waiting for a number are
  -- numbered first, so that stream order and global order agree.
  IF p_number AND pg_try_advisory_xact_lock(1869767791, hashtext('{{schema}}.sequencer')) THEN
    head := {{schema}}.number_committed(p_batch);
    RETURN QUERY WITH inserted AS (
      INSERT INTO {{schema}}.messages (id, stream_name, stream_version, type, data, metadata, global_position)
        SELECT (e.value->>'id')::uuid, p_stream, last_version - n + e.ordinality, e.value->>'type',
               e.value->'data', e.value->'metadata', head + e.ordinality
        FROM jsonb_array_elements(p_messages) WITH ORDINALITY e
        ORDER BY e.ordinality
        RETURNING messages.id, messages.stream_name, messages.stream_version, messages.global_position
    ) SELECT 'numbered'::text, i.id, i.stream_name, i.stream_version, i.global_position FROM inserted i;
    PERFORM pg_notify('ordo_{{schema}}_appended', (head + n)::text);
    RETURN;
  END IF;

  INSERT INTO {{schema}}.messages (id, stream_name, stream_version, type, data, metadata)
    SELECT (e.value->>'id')::uuid, p_stream, last_version - n + e.ordinality, e.value->>'type',
           e.value->'data', e.value->'metadata'
    FROM jsonb_array_elements(p_messages) WITH ORDINALITY e
    ORDER BY e.ordinality;
  RETURN QUERY SELECT 'written'::text, NULL::uuid, p_stream, last_version, NULL::bigint;
END
$fn$;

-- The four-argument form stays for processes still running the older code.
CREATE OR REPLACE FUNCTION {{schema}}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int)
RETURNS TABLE (status text, id uuid, stream_name text, stream_version bigint, global_position bigint)
LANGUAGE sql AS $fn$ SELECT * FROM {{schema}}.append(p_stream, p_expected, p_messages, p_batch, true) $fn$;
`;
