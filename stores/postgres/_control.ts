/**
 * What running consumers share with operators, in PostgreSQL (migration 7):
 * which consumers run (`consumer_instances`, expiring by the database's
 * clock), what each group reads (`consumer_groups`), and replay requests
 * (`replay_requests`), each taken by one consumer with a DELETE … RETURNING.
 *
 * @module
 */

import {
  checkLeaseTtl,
  compareNames,
  type ConsumerControlStore,
  type ConsumerPresence,
  type ConsumerSource,
  type KnownGroup,
  type PresentConsumer,
  type ReplayRequest,
  validateId,
  ValidationError,
} from "../../core/mod.ts";
import type { QueryFn, Row } from "./driver.ts";

const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Running consumers and replay requests in `<schema>`'s tables. */
export class PostgresControl implements ConsumerControlStore {
  readonly #query: QueryFn;
  readonly #schema: string;

  constructor(query: QueryFn, schema: string) {
    this.#query = query;
    this.#schema = schema;
  }

  async announce(presence: ConsumerPresence, options: { readonly ttl: number }): Promise<void> {
    const s = this.#schema;
    const ttl = checkLeaseTtl(options.ttl);
    // One statement: the group's source, this instance's expiry, and the expired instances gone.
    await this.#query(
      `WITH known AS (
         INSERT INTO ${s}.consumer_groups (grp, source, partitions, seen_at)
           VALUES ($1, $3::text::jsonb, $4, clock_timestamp())
           ON CONFLICT (grp) DO UPDATE SET source = EXCLUDED.source, partitions = EXCLUDED.partitions,
             seen_at = EXCLUDED.seen_at),
       gone AS (DELETE FROM ${s}.consumer_instances WHERE expires_at <= clock_timestamp())
       INSERT INTO ${s}.consumer_instances (grp, instance, started_at, expires_at)
         VALUES ($1, $2, clock_timestamp(), clock_timestamp() + ($5::float8 * interval '1 millisecond'))
         ON CONFLICT (grp, instance) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [
        presence.group,
        presence.instance,
        JSON.stringify(presence.source),
        presence.partitions,
        ttl,
      ],
    );
  }

  async withdraw(group: string, instance: string): Promise<void> {
    await this.#query(
      `DELETE FROM ${this.#schema}.consumer_instances WHERE grp = $1 AND instance = $2`,
      [group, instance],
    );
  }

  async running(): Promise<PresentConsumer[]> {
    const s = this.#schema;
    const rows = await this.#query(
      `SELECT i.grp, i.instance, g.source::text AS source, g.partitions, ${
        ISO("i.started_at")
      } AS started_at,
         (extract(epoch FROM i.expires_at) * 1000)::float8 AS expires_at
       FROM ${s}.consumer_instances i JOIN ${s}.consumer_groups g ON g.grp = i.grp
       WHERE i.expires_at > clock_timestamp()`,
      [],
    );
    return rows.map((row) => ({
      group: row.grp as string,
      instance: row.instance as string,
      source: JSON.parse(row.source as string) as ConsumerSource,
      partitions: Number(row.partitions),
      startedAt: row.started_at as string,
      expiresAt: Math.round(Number(row.expires_at)),
    })).sort((a, b) => compareNames(a.group, b.group) || compareNames(a.instance, b.instance));
  }

  async groups(): Promise<KnownGroup[]> {
    const rows = await this.#query(
      `SELECT grp, source::text AS source, partitions, ${
        ISO("seen_at")
      } AS seen_at FROM ${this.#schema}.consumer_groups`,
      [],
    );
    return rows.map((row) => ({
      group: row.grp as string,
      source: JSON.parse(row.source as string) as ConsumerSource,
      partitions: Number(row.partitions),
      seenAt: row.seen_at as string,
    })).sort((a, b) => compareNames(a.group, b.group));
  }

  async requestReplay(group: string, messageId: string): Promise<void> {
    validateId(messageId, "messageId");
    await this.#query(
      `INSERT INTO ${this.#schema}.replay_requests (grp, message_id, requested_at)
         VALUES ($1, $2::uuid, clock_timestamp()) ON CONFLICT DO NOTHING`,
      [group, messageId],
    );
  }

  async takeReplays(group: string, options: { readonly limit: number }): Promise<string[]> {
    const { limit } = options;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new ValidationError("options.limit", limit, "a limit is a whole number from 1");
    }
    const s = this.#schema;
    // SKIP LOCKED: two consumers of the group taking at once each get different requests.
    const rows = await this.#query(
      `DELETE FROM ${s}.replay_requests WHERE (grp, message_id) IN (
         SELECT grp, message_id FROM ${s}.replay_requests WHERE grp = $1
         ORDER BY requested_at, message_id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING message_id::text AS id,
         to_char(requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at`,
      [group, limit],
    );
    return rows.sort(byRequestTime).map((row) => row.id as string);
  }

  async pendingReplays(group?: string): Promise<ReplayRequest[]> {
    const rows = await this.#query(
      `SELECT grp, message_id::text AS id, ${ISO("requested_at")} AS at
         FROM ${this.#schema}.replay_requests WHERE $1::text IS NULL OR grp = $1
         ORDER BY requested_at, message_id`,
      [group ?? null],
    );
    return rows.map((row) => ({
      group: row.grp as string,
      messageId: row.id as string,
      requestedAt: row.at as string,
    }));
  }
}

// RETURNING has no order: by time asked (microseconds, as text), then id.
function byRequestTime(a: Row, b: Row): number {
  return compareNames(a.at as string, b.at as string) ||
    compareNames(a.id as string, b.id as string);
}
