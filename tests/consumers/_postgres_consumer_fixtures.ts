// Shared by the PostgreSQL consumer tests.

/** Every consumer storage table of a schema, for TRUNCATE. */
export const CONSUMER_TABLES = (schema: string): string =>
  [
    "checkpoints",
    "parked",
    "processed",
    "members",
    "leases",
    "consumer_groups",
    "consumer_instances",
    "replay_requests",
  ].map((t) => `${schema}.${t}`).join(
    ", ",
  );
