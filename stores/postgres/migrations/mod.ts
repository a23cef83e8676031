/**
 * The store's tables and functions, as versioned migrations. Each migration's
 * script is frozen text in a file of its own under migrations/, exactly as it
 * was released, so that no later change to live code can alter what a
 * database that already ran it ran. Every name is qualified with the schema
 * the user chose, so one database can hold several independent stores.
 * docs/decisions/postgres-migrations.md says how to add one.
 *
 * @module
 */

import { MIGRATION_1 } from "./v1_messages_and_sequencer.ts";
import { MIGRATION_2 } from "./v2_consumer_tables.ts";
import { MIGRATION_3 } from "./v3_append_number_flag.ts";
import { MIGRATION_4 } from "./v4_versions_from_messages.ts";
import { MIGRATION_5 } from "./v5_positions_at_insert.ts";
import { MIGRATION_6 } from "./v6_read_to_head.ts";
import { MIGRATION_7 } from "./v7_consumer_control.ts";
import { MIGRATION_8 } from "./v8_member_instances.ts";

/**
 * Advisory lock keys. The migration key serializes migrations from several
 * processes; the sequencer's key, used up to migration 4, made it the single
 * writer of global positions (the frozen scripts carry it as a number).
 * The first key is fixed (it reads "ordo"), the second depends on the schema.
 */
export const LOCK_CLASS = 0x6f72646f;

/** What stands for the schema's name in a migration's frozen text. */
export const SCHEMA_PLACEHOLDER = "{{schema}}";

/** One migration: its number, its frozen text and its script for a schema. */
export interface Migration {
  /** 1, 2, 3, …: the schema's version once this script ran, stored in the schema's migrations table. */
  readonly version: number;
  /** The script as released, with {@link SCHEMA_PLACEHOLDER} where the schema's name goes. */
  readonly text: string;
  /** The script for one schema: the text with the schema's name in place. */
  readonly script: (schema: string) => string;
}

// split/join, not replaceAll: a replacement string would give `$&` and the
// like a meaning of their own.
const frozen = (version: number, text: string): Migration => ({
  version,
  text,
  script: (schema: string) => text.split(SCHEMA_PLACEHOLDER).join(schema),
});

/**
 * Every migration, in order. Migrations only ever get appended to this list,
 * each from a frozen file.
 *
 * @example
 * ```ts
 * import { MIGRATIONS } from "./mod.ts";
 * const latest = MIGRATIONS[MIGRATIONS.length - 1].version; // 8
 * const firstScript = MIGRATIONS[0].script("orders"); // CREATE TABLE orders.streams …
 * ```
 */
export const MIGRATIONS: readonly Migration[] = [
  frozen(1, MIGRATION_1),
  frozen(2, MIGRATION_2),
  frozen(3, MIGRATION_3),
  frozen(4, MIGRATION_4),
  frozen(5, MIGRATION_5),
  frozen(6, MIGRATION_6),
  frozen(7, MIGRATION_7),
  frozen(8, MIGRATION_8),
];

/**
 * The script that brings a schema to the newest migration: safe to run from
 * several processes at once (an advisory lock serializes them) and as often
 * as wanted (each migration runs once, recorded in `migrations`).
 */
export function migrationScript(schema: string): string {
  const steps = MIGRATIONS.map((m) => `
DO $migrate$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${schema}.migrations WHERE version = ${m.version}) THEN
    EXECUTE ${dollarQuote(m.script(schema))};
    INSERT INTO ${schema}.migrations (version) VALUES (${m.version});
  END IF;
END $migrate$;`).join("\n");
  // Notices off for this transaction: "schema already exists, skipping" on
  // every run after the first is no news (postgres.js prints notices on the console).
  return `
SET LOCAL client_min_messages = warning;
SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext('${schema}.migrate'));
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
${steps}
`;
}

// Quotes a script for EXECUTE with a dollar tag that the script does not contain.
function dollarQuote(script: string): string {
  let tag = "$m$";
  for (let i = 0; script.includes(tag); i++) tag = `$m${i}$`;
  return `${tag}${script}${tag}`;
}
