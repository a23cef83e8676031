/**
 * Parked (dead-lettered) messages in PostgreSQL, listed in global order; a
 * handler parks or removes through `{ tx }` so that it commits with its
 * checkpoint.
 *
 * @module
 */

import {
  type ListParkedOptions,
  type ParkedGroup,
  type ParkedMessage,
  type ParkedMessageStore,
  type ParkedSummary,
  type RecordedMessage,
  ValidationError,
} from "../../core/mod.ts";
import type { Row } from "./driver.ts";
import type { OpenTransactions } from "./_open_transactions.ts";

/** Messages consumers gave up on, with why (`<schema>.parked`). */
export class PostgresParked<Tx> implements ParkedMessageStore<Tx> {
  readonly #schema: string;
  readonly #transactions: OpenTransactions<Tx>;

  constructor(schema: string, transactions: OpenTransactions<Tx>) {
    this.#schema = schema;
    this.#transactions = transactions;
  }

  async park(entry: ParkedMessage, options?: { readonly tx?: Tx }): Promise<void> {
    await this.#transactions.through(options?.tx, "options.tx")(
      `INSERT INTO ${this.#schema}.parked (grp, message_id, partition, global_position, message, error, attempts, parked_at)
         VALUES ($1, $2::uuid, $3, $4::bigint, $5::text::jsonb, $6::text::jsonb, $7, $8::timestamptz)
         ON CONFLICT (grp, message_id) DO UPDATE SET partition = EXCLUDED.partition, error = EXCLUDED.error,
           attempts = EXCLUDED.attempts, parked_at = EXCLUDED.parked_at, message = EXCLUDED.message`,
      [
        entry.group,
        entry.message.id,
        entry.partition,
        String(entry.message.globalPosition),
        JSON.stringify({
          ...entry.message,
          globalPosition: String(entry.message.globalPosition),
        }),
        JSON.stringify(entry.error),
        entry.attempts,
        entry.parkedAt,
      ],
    );
  }

  async list(group: string, options: ListParkedOptions = {}): Promise<ParkedMessage[]> {
    const limit = options.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new ValidationError("options.limit", limit, "a limit is a whole number from 1");
    }
    const rows = await this.#transactions.outside()(
      `SELECT ${PARKED_COLUMNS} FROM ${this.#schema}.parked WHERE grp = $1 AND global_position > $2::bigint ORDER BY global_position LIMIT $3`,
      [group, String(options.after ?? -1n), limit],
    );
    return rows.map(toParked);
  }

  async get(group: string, messageId: string): Promise<ParkedMessage | undefined> {
    const rows = await this.#transactions.outside()(
      `SELECT ${PARKED_COLUMNS} FROM ${this.#schema}.parked WHERE grp = $1 AND message_id::text = lower($2)`,
      [group, messageId],
    );
    return rows.length === 0 ? undefined : toParked(rows[0]);
  }

  async remove(
    group: string,
    messageId: string,
    options?: { readonly tx?: Tx },
  ): Promise<boolean> {
    const rows = await this.#transactions.through(options?.tx, "options.tx")(
      `DELETE FROM ${this.#schema}.parked WHERE grp = $1 AND message_id::text = lower($2) RETURNING 1 AS removed`,
      [group, messageId],
    );
    return rows.length > 0;
  }

  async summary(group: string): Promise<ParkedSummary> {
    const [row] = await this.#transactions.outside()(
      `SELECT count(*)::int AS count, to_char(min(parked_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS oldest FROM ${this.#schema}.parked WHERE grp = $1`,
      [group],
    );
    const count = Number(row.count);
    return row.oldest === null || row.oldest === undefined
      ? { count }
      : { count, oldestParkedAt: row.oldest as string };
  }

  async groups(): Promise<ParkedGroup[]> {
    const rows = await this.#transactions.outside()(
      `SELECT DISTINCT ON (grp COLLATE "C") grp, count(*) OVER (PARTITION BY grp)::int AS count,
         to_char(min(parked_at) OVER (PARTITION BY grp) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS oldest,
         message_id::text AS message_id, error::text AS error, attempts, ${PARKED_AT}
       FROM ${this.#schema}.parked ORDER BY grp COLLATE "C", parked_at DESC, global_position DESC`,
      [],
    );
    return rows.map((row) => ({
      group: row.grp as string,
      count: Number(row.count),
      oldestParkedAt: row.oldest as string,
      latest: {
        messageId: row.message_id as string,
        error: JSON.parse(row.error as string),
        attempts: Number(row.attempts),
        parkedAt: row.parked_at as string,
      },
    }));
  }
}

const PARKED_AT =
  "to_char(parked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS parked_at";
const PARKED_COLUMNS =
  `grp, partition, message::text AS message, error::text AS error, attempts, ${PARKED_AT}`;

function toParked(row: Row): ParkedMessage {
  const message = JSON.parse(row.message as string) as RecordedMessage & { globalPosition: string };
  return {
    group: row.grp as string,
    partition: Number(row.partition),
    message: { ...message, globalPosition: BigInt(message.globalPosition) },
    error: JSON.parse(row.error as string),
    attempts: Number(row.attempts),
    parkedAt: row.parked_at as string,
  };
}
