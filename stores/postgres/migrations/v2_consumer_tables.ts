/**
 * Migration 2 as released: the consumers' tables: checkpoints, parked messages, processed
 * keys, group members and partition leases.
 *
 * Frozen: databases have run this text, so it never changes, and
 * tests/stores/postgres_migrations_frozen.test.ts pins its SHA-256. A change to
 * the schema is a new migration (docs/decisions/postgres-migrations.md).
 *
 * @module
 */

/** Migration 2's script; `{{schema}}` stands for the schema's name. */
export const MIGRATION_2 = `
-- Consumers: where each group's partitions will read next.
CREATE TABLE {{schema}}.checkpoints (
  grp text NOT NULL,
  partition int NOT NULL,
  position bigint NOT NULL,
  PRIMARY KEY (grp, partition)
);

-- Messages a consumer gave up on, with why; listed in global order.
CREATE TABLE {{schema}}.parked (
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
CREATE INDEX parked_in_order ON {{schema}}.parked (grp, global_position);

-- Effects already done (idempotency keys), per scope.
CREATE TABLE {{schema}}.processed (
  scope text NOT NULL,
  key text NOT NULL,
  PRIMARY KEY (scope, key)
);

-- Consumer group members and partition leases. Expiry is by the database's
-- clock. A released lease keeps its row (owner NULL) so tokens keep growing.
CREATE TABLE {{schema}}.members (
  grp text NOT NULL,
  member text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (grp, member)
);
CREATE TABLE {{schema}}.leases (
  grp text NOT NULL,
  partition int NOT NULL,
  owner text,
  token bigint NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (grp, partition)
);
`;
