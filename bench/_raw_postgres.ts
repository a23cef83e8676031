// The raw postgres.js side of the PostgreSQL benches: a table of the same
// shape as the store's (bigserial position, unique (stream, version), unique
// id, jsonb), its statements, and the message every scenario writes.

/** A message of the size the benches write. */
export const message = (n: number) => ({ id: crypto.randomUUID(), type: "OrderPlaced", data: { orderId: n, total: 42.5, sku: "abc-1" } });

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

/** One row into the raw table. */
export const RAW_INSERT_ONE =
  "INSERT INTO raw_messages (id, stream_name, stream_version, type, data, metadata) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)";

export const RAW_INSERT_MANY = `INSERT INTO raw_messages (id, stream_name, stream_version, type, data, metadata)
  SELECT (e.value->>'id')::uuid, $1, $2::bigint + e.ordinality - 1, e.value->>'type', e.value->'data', e.value->'metadata'
  FROM jsonb_array_elements($3::text::jsonb) WITH ORDINALITY e`;

// The position is selected as text under another name: aliased "position",
// ORDER BY would sort by the text, not use the index, and the keyset would skip rows.
export const RAW_READ =
  "SELECT id::text AS id, stream_name, stream_version::text AS stream_version, type, data::text AS data, metadata::text AS metadata, position::text AS pos FROM raw_messages WHERE position >= $1::bigint ORDER BY raw_messages.position LIMIT 1000";

// Raw statements are prepared, as postgres.js prepares its tagged-template
// queries by default and as the store prepares its own. Unprepared
// (sql.unsafe's default) is printed beside it for the writer scenarios.
export const PREPARED = { prepare: true } as const;
