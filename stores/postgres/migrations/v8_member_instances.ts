/**
 * Migration 8 as released: the running instance of a consumer group member,
 * kept with its membership and its leases, so that two instances started
 * under one member name are told apart and the second is refused
 * (docs/decisions/consumers.md, "One running instance per member name").
 * Rows written before it have no instance: they count as another instance
 * than any that asks, until they expire. Processes running older code keep
 * working: they neither write nor read the column.
 *
 * Frozen: databases have run this text, so it never changes, and
 * tests/stores/postgres_migrations_frozen.test.ts pins its SHA-256. A change to
 * the schema is a new migration (docs/decisions/postgres-migrations.md).
 *
 * @module
 */

/** Migration 8's script; `{{schema}}` stands for the schema's name. */
export const MIGRATION_8 = `
-- The instance holding a member's name and each lease: a member generates one
-- each time it starts. NULL in rows from before this migration.
ALTER TABLE {{schema}}.members ADD COLUMN instance text;
ALTER TABLE {{schema}}.leases ADD COLUMN instance text;
`;
