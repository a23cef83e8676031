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
creates the store's streams and its consumer bucket (one replica each), or
updates them, keeping their replicas and duplicate window; a stream that
holds another prefix's subjects is refused, not moved.

${CONNECTION_HELP}

Output (--json): { "schema", "from", "to" }, the schema's migration before and after;
  on NATS { "stream", "subjectPrefix", "bucket", "ready": true }.`,
  options: {},
  createsDatabase: true,
  maxPositionals: 0,
  async run({ connection, print }) {
    const { migrate, query, schema, nats, where } = await connection();
    if (nats !== undefined) {
      await migrate();
      print(
        { stream: schema, ...nats, ready: true },
        () =>
          `Store "${schema}" (subjects ${nats.subjectPrefix}.>) and its consumer bucket ` +
          `"${nats.bucket}" are set up on ${where}.\n`,
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
