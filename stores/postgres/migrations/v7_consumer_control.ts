/**
 * Migration 7 as released: what running consumers share with the `ordo` command line and the
 * console: which consumers run, what each group reads, and replay requests for parked messages.
 *
 * Frozen: databases have run this text, so it never changes, and
 * tests/stores/postgres_migrations_frozen.test.ts pins its SHA-256. A change to
 * the schema is a new migration (docs/decisions/postgres-migrations.md).
 *
 * @module
 */

/** Migration 7's script; `{{schema}}` stands for the schema's name. */
export const MIGRATION_7 = `
-- What each consumer group reads, as its consumers last announced it; kept
-- after they stop, so that a group's lag can be told while none runs.
CREATE TABLE {{schema}}.consumer_groups (
  grp text PRIMARY KEY,
  source jsonb NOT NULL,
  partitions int NOT NULL,
  seen_at timestamptz NOT NULL
);

-- Consumers running now: each announces itself again before expires_at (by
-- the database's clock) and deletes its row when it stops.
CREATE TABLE {{schema}}.consumer_instances (
  grp text NOT NULL,
  instance text NOT NULL,
  started_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (grp, instance)
);

-- Replays of parked messages asked for by operators, until a running
-- consumer of the group takes them (and deletes the row in doing so).
CREATE TABLE {{schema}}.replay_requests (
  grp text NOT NULL,
  message_id uuid NOT NULL,
  requested_at timestamptz NOT NULL,
  PRIMARY KEY (grp, message_id)
);
CREATE INDEX replay_requests_in_order ON {{schema}}.replay_requests (grp, requested_at);
`;
