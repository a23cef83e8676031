/**
 * Migration 6 as released: read_to_head(), a global read up to the readable head in one call.
 *
 * Frozen: databases have run this text, so it never changes, and
 * tests/stores/postgres_migrations_frozen.test.ts pins its SHA-256. A change to
 * the schema is a new migration (docs/decisions/postgres-migrations.md).
 *
 * @module
 */

/** Migration 6's script; `{{schema}}` stands for the schema's name. */
export const MIGRATION_6 = `
-- A global read up to the readable head in one round trip: a reader that is
-- near the head (a woken consumer) otherwise asks for the head and reads
-- after it, two round trips. See postgres-global-order.md, "Global reads".
CREATE FUNCTION {{schema}}.read_to_head(p_from bigint, p_limit int, p_category text, p_types text[])
RETURNS TABLE (id text, type text, data text, metadata text, "streamName" text, "streamVersion" float8, "globalPosition" text)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  head bigint;
BEGIN
  head := {{schema}}.readable_head();
  RETURN QUERY SELECT NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::float8, head::text;
  IF p_category IS NULL THEN
    RETURN QUERY SELECT m.id::text, m.type, m.data::text, m.metadata::text, m.stream_name, m.stream_version::float8, m.global_position::text FROM {{schema}}.messages m
      WHERE m.global_position BETWEEN p_from AND head AND (p_types IS NULL OR m.type = ANY (p_types)) ORDER BY m.global_position LIMIT p_limit;
  ELSE
    RETURN QUERY SELECT m.id::text, m.type, m.data::text, m.metadata::text, m.stream_name, m.stream_version::float8, m.global_position::text FROM {{schema}}.messages m
      WHERE m.category = p_category AND m.global_position BETWEEN p_from AND head AND (p_types IS NULL OR m.type = ANY (p_types))
      ORDER BY m.global_position LIMIT p_limit;
  END IF;
END
$fn$;
`;
