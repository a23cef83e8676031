/**
 * `ordo migrate`: creates or updates the store's schema (idempotent; safe
 * from several processes at once).
 *
 * @module
 */

import { type Command, CONNECTION_HELP } from "./_command.ts";

/** `ordo migrate`. */
export const migrateCommand: Command = {
  name: "migrate",
  summary: "create or update the store's schema",
  help: `Usage: ordo migrate [connection] [--json]

Creates the store's tables in the schema, or brings them up to date. Safe to
run again and from several processes at once. On NATS (--url nats://…) it
creates the store's streams and its consumer bucket, or updates them.

${CONNECTION_HELP}

Output (--json): { "schema", "from", "to" }, the schema's migration before and after;
  on NATS { "stream", "ready": true }.`,
  options: {},
  createsDatabase: true,
  maxPositionals: 0,
  async run({ connection, print }) {
    const { kind, migrate, query, schema, where } = await connection();
    if (kind === "nats") {
      await migrate();
      print(
        { stream: schema, ready: true },
        () => `Store "${schema}" and its consumer bucket are set up on ${where}.\n`,
      );
      return 0;
    }
    const version = async () => {
      const rows = await query(
        `SELECT coalesce(max(version), 0)::int AS version FROM ${schema}.migrations`,
      ).catch(() => [{ version: 0 }]);
      return Number(rows[0].version);
    };
    const from = await version();
    await migrate();
    const to = await version();
    print(
      { schema, from, to },
      () =>
        from === to
          ? `Schema "${schema}" is up to date (migration ${to}).\n`
          : `Schema "${schema}" migrated from ${from} to migration ${to}.\n`,
    );
    return 0;
  },
};
