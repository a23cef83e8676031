/**
 * Migration 4 as released: a stream's version is read from its messages under a per-stream
 * advisory lock, the streams table is dropped, and unnumbered rows leave the
 * global-position index.
 *
 * Frozen: databases have run this text, so it never changes, and
 * tests/stores/postgres_migrations_frozen.test.ts pins its SHA-256. A change to
 * the schema is a new migration (docs/decisions/postgres-migrations.md).
 *
 * @module
 */

/** Migration 4's script; `{{schema}}` stands for the schema's name. */
export const MIGRATION_4 = `
-- A stream's version is read from its messages, under a per-stream advisory
-- lock, instead of kept in a streams row: that row was a second table written
-- (and WAL-logged) by every append. See postgres-global-order.md.
-- One append, in one statement and so one transaction. Appends to one stream
-- queue on the stream's advisory lock; the next statement takes a fresh
-- snapshot, so the version it reads includes the previous holder's commit,
-- and the expected version is checked against it. An id already stored fails
-- the insert (unique violation) and rolls everything back; the caller then
-- looks the ids up. Returns a conflict with the current version ('conflict'),
-- the rows already stored when a conflict turns out to be a retry ('stored'),
-- the last version and last global position of rows it numbered itself
-- ('range': consecutive positions, so one row says it all), or the version of
-- the last message written unnumbered ('written').
CREATE OR REPLACE FUNCTION {{schema}}.append(p_stream text, p_expected text, p_messages jsonb, p_batch int, p_number boolean)
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

  -- When no sequencer is running and the caller waits for positions, this
  -- transaction becomes the sequencer, as in the earlier version of this
  -- function, and numbers its rows after every committed one (head). Else
  -- head stays NULL and so do the rows' positions, for a sequencer to fill.
  IF p_number AND pg_try_advisory_xact_lock(1869767791, hashtext('{{schema}}.sequencer')) THEN
    head := {{schema}}.number_committed(p_batch);
  END IF;
  -- Rows go in in batch order, so that their seq follows their versions.
  INSERT INTO {{schema}}.messages (id, stream_name, stream_version, type, data, metadata, global_position)
    SELECT (e.value->>'id')::uuid, p_stream, last_version - n + e.ordinality, e.value->>'type',
           e.value->'data', e.value->'metadata', head + e.ordinality
    FROM jsonb_array_elements(p_messages) WITH ORDINALITY e ORDER BY e.ordinality;
  IF head IS NULL THEN
    RETURN QUERY SELECT 'written'::text, NULL::uuid, p_stream, last_version, NULL::bigint;
    RETURN;
  END IF;
  PERFORM pg_notify('ordo_{{schema}}_appended', (head + n)::text);
  RETURN QUERY SELECT 'range'::text, NULL::uuid, p_stream, last_version, head + n;
END
$fn$;

DROP TABLE {{schema}}.streams;

-- Unnumbered rows stay out of the global-position index: a NULL key gained
-- nothing there, and sixteen writers' NULLs all went to the same last page.
CREATE UNIQUE INDEX messages_global_position ON {{schema}}.messages (global_position) WHERE global_position IS NOT NULL;
ALTER TABLE {{schema}}.messages DROP CONSTRAINT messages_global_position_key;
`;
