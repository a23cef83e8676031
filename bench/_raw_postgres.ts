// The raw postgres.js side of the PostgreSQL benches: a table of the same
// shape as the store's (bigserial position, unique (stream, version), unique
// id, jsonb), its statements, and the message every scenario writes.

/** A message of the size the benches write. */
export const message = (n: number) => ({
  id: crypto.randomUUID(),
  type: "OrderPlaced",
  data: { orderId: n, total: 42.5, sku: "abc-1" },
});

export const RAW_TABLE = `
CREATE TABLE raw_messages (
  position bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  stream_name text NOT NULL,
  stream_version bigint NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  UNIQUE (stream_name, stream_version)
)`;

/**
 * The raw table with what ordo's table adds for category reads: the category
 * column and its (category, position) index. Beside RAW_TABLE it shows what
 * that index costs, apart from what ordo's append does.
 */
export const RAW_TABLE_WITH_CATEGORY = `
CREATE TABLE raw_category_messages (
  position bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  stream_name text NOT NULL,
  stream_version bigint NOT NULL,
  category text NOT NULL GENERATED ALWAYS AS (split_part(stream_name, '-', 1)) STORED,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  UNIQUE (stream_name, stream_version)
);
CREATE INDEX raw_category_messages_category ON raw_category_messages (category, position)`;

/** The NOTIFY a raw writer sends after its insert, as the store's rounds do. */
export const RAW_NOTIFY =
  "SELECT set_config('synchronous_commit', 'off', true), pg_notify('raw_appended', '')";

/** One row into the raw table. */
export const RAW_INSERT_ONE =
  "INSERT INTO raw_messages (id, stream_name, stream_version, type, data, metadata) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)";

const insertMany = (table: string) =>
  `INSERT INTO ${table} (id, stream_name, stream_version, type, data, metadata)
  SELECT (e.value->>'id')::uuid, $1, $2::bigint + e.ordinality - 1, e.value->>'type', e.value->'data', e.value->'metadata'
  FROM jsonb_array_elements($3::text::jsonb) WITH ORDINALITY e`;

/** A batch into the raw table: stream, first version, the messages as JSON. */
export const RAW_INSERT_MANY = insertMany("raw_messages");

/** The same into the raw table with ordo's category index. */
export const RAW_INSERT_MANY_WITH_CATEGORY = insertMany("raw_category_messages");

// The position is selected as text under another name: aliased "position",
// ORDER BY would sort by the text, not use the index, and the keyset would skip rows.
export const RAW_READ =
  "SELECT id::text AS id, stream_name, stream_version::text AS stream_version, type, data::text AS data, metadata::text AS metadata, position::text AS pos FROM raw_messages WHERE position >= $1::bigint ORDER BY raw_messages.position LIMIT 1000";

// Raw statements are prepared, as postgres.js prepares its tagged-template
// queries by default and as the store prepares its own. Unprepared
// (sql.unsafe's default) is printed beside it for the writer scenarios.
export const PREPARED = { prepare: true } as const;
