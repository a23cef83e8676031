/**
 * Every statement the live store runs, in one place. Migrations are frozen
 * text (migrations/mod.ts); these are not: they change with the store, and must
 * only ever call functions that the newest migration leaves in place.
 *
 * @module
 */

import { HEAD_PAYLOAD_PREFIX, notifyChannel } from "./notify_payload.ts";

/**
 * The SQL call that takes a writer's bound: a shared advisory lock on the
 * schema's bound key and the low 32 bits of `handedOut` (an SQL expression for
 * the last position handed out). next_position() and hold_bound() (migration
 * 5) take it this way too, so readable_head() finds it; the key must stay
 * theirs.
 */
export const holdBound = (s: string, handedOut: string): string =>
  `pg_advisory_xact_lock_shared(hashtext('${s}.positions'), (${handedOut} % 4294967296 - 2147483648)::int)`;

// Selected as text and converted in JS, the same way for both drivers. The
// aliases shadow the columns' names in ORDER BY, so every ORDER BY says m.
const COLUMNS =
  'm.id::text AS id, m.type, m.data::text AS data, m.metadata::text AS metadata, m.stream_name AS "streamName", m.stream_version::float8 AS "streamVersion", m.global_position::text AS "globalPosition"';

// Whether a stream's last version (last.v, NULL for no stream) is what an
// append expects, given as expectedCheck() encodes it: check and version.
const expectedMatches = (check: string, version: string) =>
  `CASE ${check} WHEN 'any' THEN true WHEN 'no-stream' THEN last.v IS NULL WHEN 'exists' THEN last.v IS NOT NULL ELSE last.v = ${version} END`;

// Every statement the store runs, with the schema filled in once. Exported for
// the bench that measures the write paths one by one, not from mod.ts.
export function statements(s: string) {
  const types = (n: number) =>
    `AND m.type IN (SELECT jsonb_array_elements_text($${n}::text::jsonb))`;
  return {
    append:
      `SELECT status, id::text AS id, stream_name, stream_version::text AS stream_version, global_position::text AS global_position FROM ${s}.append($1, $2, $3::text::jsonb)`,
    // The writer's bound is taken inline, as next_position() (migration 5) would
    // take it, without a PL/pgSQL call per append (measured, see
    // postgres-global-order.md): first the stream's lock; then, LATERAL
    // ordering it after that lock so that a writer queued on a busy stream
    // holds no reader back, the shared lock keyed by the last position handed
    // out; the position is taken when the joined row is projected, after both.
    appendOne:
      `INSERT INTO ${s}.messages (global_position, id, stream_name, stream_version, type, data, metadata)
      SELECT nextval('${s}.positions'), $1::uuid, $2, coalesce(last.v, -1) + 1, $5, $6::text::jsonb, $7::text::jsonb
      FROM (SELECT pg_advisory_xact_lock(hashtextextended('${s}.stream/' || $2, 0)) AS locked) AS stream_lock,
        LATERAL (SELECT stream_lock.locked, ${
        holdBound(s, "(p.last_value - (NOT p.is_called)::int)")
      } FROM ${s}.positions p) AS bound,
        (SELECT max(m.stream_version) AS v FROM ${s}.messages m WHERE m.stream_name = $2) AS last
      WHERE ${expectedMatches("$3::text", "$4::bigint")}
      RETURNING stream_version::text AS stream_version, global_position::text AS global_position`,
    // Several one-message appends to distinct streams, in one statement: each
    // row's version read from its stream, its expected version checked, its id
    // looked up (as a subquery, not NOT EXISTS: that one the planner makes a
    // hash anti join over the whole table), the writer's bound taken once, and
    // positions taken when the rows are projected, after it. No stream lock:
    // a race on a stream fails on the (stream, version) unique index, and the
    // store then runs each append alone. Returns the rows written; an append
    // left out (a conflict, an id stored already) is not among them.
    appendGroup:
      `INSERT INTO ${s}.messages (global_position, id, stream_name, stream_version, type, data, metadata)
      SELECT nextval('${s}.positions'), a.id, a.stream, coalesce(last.v, -1) + 1, a.type, a.data, a.metadata
      FROM (SELECT ${
        holdBound(s, "(p.last_value - (NOT p.is_called)::int)")
      } FROM ${s}.positions p) AS bound,
        jsonb_to_recordset($1::text::jsonb)
          AS a(id uuid, stream text, expected text, version bigint, type text, data jsonb, metadata jsonb)
        CROSS JOIN LATERAL (SELECT max(m.stream_version) AS v FROM ${s}.messages m WHERE m.stream_name = a.stream) AS last
      WHERE (SELECT d.id FROM ${s}.messages d WHERE d.id = a.id) IS NULL
        AND ${expectedMatches("a.expected", "a.version")}
      RETURNING id::text AS id, stream_version::text AS stream_version, global_position::text AS global_position`,
    readStreamForward:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.stream_name = $1 AND m.stream_version >= $2::bigint ORDER BY m.stream_version LIMIT $3::bigint`,
    readStreamBackward:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.stream_name = $1 AND m.stream_version <= $2::bigint ORDER BY m.stream_version DESC LIMIT $3::bigint`,
    readCategory:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.category = $1 AND m.global_position BETWEEN $2::bigint AND $4::bigint ORDER BY m.global_position LIMIT $3::int`,
    readCategoryTypes:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.category = $1 AND m.global_position BETWEEN $2::bigint AND $4::bigint ${
        types(5)
      } ORDER BY m.global_position LIMIT $3::int`,
    messageById: `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.id = $1::uuid`,
    readAll:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.global_position BETWEEN $1::bigint AND $3::bigint ORDER BY m.global_position LIMIT $2::int`,
    readAllTypes:
      `SELECT ${COLUMNS} FROM ${s}.messages m WHERE m.global_position BETWEEN $1::bigint AND $3::bigint ${
        types(4)
      } ORDER BY m.global_position LIMIT $2::int`,
    head: `SELECT ${s}.readable_head()::text AS head`,
    readToHead: `SELECT * FROM ${s}.read_to_head($1::bigint, $2::int, $3::text,
      CASE WHEN $4::text IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text($4::text::jsonb)) END)`,
    notify: `SELECT set_config('synchronous_commit', 'off', true),
      pg_notify('${notifyChannel(s)}', '${HEAD_PAYLOAD_PREFIX}' || ${s}.readable_head()::text)`,
    storedIds:
      `SELECT id::text AS id, stream_name, stream_version::text AS stream_version, global_position::text AS global_position FROM ${s}.messages WHERE id = ANY($1::uuid[])`,
    ...browseStatements(s),
  };
}

// Browsing, for operators' tools (docs/decisions/operations.md). Streams are
// walked by name on the (stream_name, stream_version) index, one probe per
// stream, never a scan: the first name above $1 and at or above $2, then
// each next one, below $3 in the bounded form (the range of a prefix, when the
// collation orders names by code point); $4 a name prefix checked on each
// name, $5 a type the stream must hold, $6 how many matching streams to find,
// $7 how many names to look at, at most. Every bound is an index condition:
// no `$n IS NULL OR` around them, which a generic plan could not use.
// Each row is a name looked at; only matching ones get their last message.
function listStreams(s: string, bounded: boolean): string {
  // The unbounded form is given $3 NULL: it checks so, once, to name every parameter.
  const below = bounded ? " AND m.stream_name < $3" : "";
  const firstBelow = bounded ? below : " AND $3::text IS NULL";
  const matches = (name: string) =>
    `(($4::text IS NULL OR starts_with(${name}, $4)) AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM ${s}.messages t WHERE t.stream_name = ${name} AND t.type = $5)))`;
  const first =
    `(SELECT m.stream_name FROM ${s}.messages m WHERE m.stream_name > $1 AND m.stream_name >= $2${firstBelow} ORDER BY m.stream_name LIMIT 1)`;
  const next =
    `(SELECT m.stream_name FROM ${s}.messages m WHERE m.stream_name > w.name${below} ORDER BY m.stream_name LIMIT 1)`;
  return `WITH RECURSIVE walk(name, n, found, matched) AS (
      SELECT f.name, 1, f.matched::int, f.matched
        FROM (SELECT x.name, ${matches("x.name")} AS matched
          FROM (SELECT ${first} AS name) x WHERE x.name IS NOT NULL) f
      UNION ALL
      SELECT nx.name, w.n + 1, w.found + nx.matched::int, nx.matched
        FROM walk w, LATERAL (SELECT x.name, ${matches("x.name")} AS matched
          FROM (SELECT ${next} AS name) x WHERE x.name IS NOT NULL) nx
        WHERE w.found < $6 AND w.n < $7
    )
    SELECT w.name, w.n, w.matched, last.version, last.position, last.type, last.ts
      FROM walk w LEFT JOIN LATERAL (
        SELECT m.stream_version::float8 AS version, m.global_position::text AS position, m.type,
          m.metadata->>'timestamp' AS ts
        FROM ${s}.messages m WHERE w.matched AND m.stream_name = w.name
        ORDER BY m.stream_version DESC LIMIT 1) last ON true
      ORDER BY w.n`;
}

function browseStatements(s: string) {
  const counted = (where: string) =>
    `SELECT count(*)::float8 AS n FROM (SELECT 1 FROM ${s}.messages m
        WHERE ${where} m.global_position >= $2::bigint AND m.global_position <= (SELECT ${s}.readable_head())
          AND ($3::text IS NULL OR m.type IN (SELECT jsonb_array_elements_text($3::text::jsonb)))
        LIMIT $4::bigint) counted`;
  return {
    listStreams: listStreams(s, false),
    listStreamsBelow: listStreams(s, true),
    // Whether stream names sort by code point here, so that a prefix is a range of the index.
    namesByCodePoint: `SELECT CASE
        WHEN a.attcollation IN (950, 951) THEN true
        WHEN a.attcollation = 100 THEN d.datlocprovider = 'b'
          OR (d.datlocprovider = 'c' AND d.datcollate IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8'))
        ELSE coalesce((SELECT c.collprovider = 'b' OR (c.collprovider = 'c' AND c.collcollate IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8'))
          FROM pg_collation c WHERE c.oid = a.attcollation), false)
      END AS by_code_point
      FROM pg_attribute a, pg_database d
      WHERE a.attrelid = '${s}.messages'::regclass AND a.attname = 'stream_name' AND d.datname = current_database()`,
    // Categories by a skip scan of the category index: one probe per category. The index is
    // partial (global_position IS NOT NULL, from migration 1); the column is NOT NULL now, so
    // PostgreSQL drops an "IS NOT NULL" condition and then cannot use the index: "> 0" implies it.
    listCategories: `WITH RECURSIVE c(category) AS (
        (SELECT m.category FROM ${s}.messages m WHERE m.global_position > 0 ORDER BY m.category LIMIT 1)
        UNION ALL
        SELECT (SELECT m.category FROM ${s}.messages m WHERE m.category > c.category AND m.global_position > 0 ORDER BY m.category LIMIT 1)
          FROM c WHERE c.category IS NOT NULL
      )
      SELECT c.category, (SELECT max(m.global_position) FROM ${s}.messages m WHERE m.category = c.category AND m.global_position > 0)::text AS last
        FROM c WHERE c.category IS NOT NULL`,
    // Up to $4 messages from $2 to the readable head, of types $3 (NULL: all), in all or category $1.
    countAll: counted("$1::text IS NULL AND"),
    countCategory: counted("m.category = $1 AND"),
  };
}

/** The statements of one schema, as {@link statements} fills them in. */
export type Statements = ReturnType<typeof statements>;
