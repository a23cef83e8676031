/**
 * Consumer storage in PostgreSQL, beside the event store in the same schema:
 * checkpoints, parked messages, processed-message records and leases. A
 * commit runs the handler's work inside one PostgreSQL transaction and saves
 * the checkpoint in it, so a handler that writes its read model through
 * `context.tx` takes effect exactly once, whatever crashes.
 *
 * @module
 */

import {
  type CheckpointStore,
  type CheckpointUpdate,
  type ConsumerStorage,
  type ListParkedOptions,
  type ParkedMessage,
  type ParkedMessageStore,
  type ProcessedMessageStore,
  type RecordedMessage,
  ValidationError,
} from "../../core/mod.ts";
import type { PostgresDriver, QueryFn, Row } from "./driver.ts";
import { createLeaseStoreOverQuery } from "./lease_store.ts";
import { validateSchemaName } from "./schema_name.ts";
import { translateError } from "./translate_error.ts";

/** Options of the PostgreSQL consumer storage factories. */
export interface PostgresConsumerStorageOptions {
  /** The schema of the event store it sits beside (its tables come with `migrate()`). Default `"ordo"`. */
  readonly schema?: string;
}

/** Builds consumer storage over a driver; the public factories pick the driver. */
export function createConsumerStorageOverDriver<Tx>(
  driver: PostgresDriver,
  options: PostgresConsumerStorageOptions & { readonly singleConnection?: boolean } = {},
): ConsumerStorage<Tx> {
  const s = validateSchemaName(options.schema ?? "ordo");
  // Transactions this storage has open, so that `{ tx }` options write through them.
  const open = new WeakMap<object, QueryFn>();
  const through = (tx: Tx | undefined, path: string): QueryFn => {
    if (tx === undefined) return guarded(driver.query);
    const query = open.get(tx as object);
    if (query === undefined) {
      throw new ValidationError(path, tx, "not an open transaction of this storage");
    }
    return query;
  };

  const checkpoints: CheckpointStore<Tx> = {
    async load(group, partition) {
      const rows = await guarded(driver.query)(
        `SELECT position::text AS position FROM ${s}.checkpoints WHERE grp = $1 AND partition = $2`,
        [group, partition],
      );
      return rows.length === 0 ? undefined : BigInt(rows[0].position as string);
    },

    async commit(update: CheckpointUpdate, work) {
      try {
        return await driver.transaction(async (native, query) => {
          if (update.lease !== undefined) {
            // FOR SHARE: a new owner's acquire (an UPDATE of this row) waits until this commit ends.
            const held = await query(
              `SELECT 1 FROM ${s}.leases WHERE grp = $1 AND partition = $2 AND owner = $3 AND token = $4::bigint
                 AND expires_at > clock_timestamp() FOR SHARE`,
              [update.group, update.partition, update.lease.owner, String(update.lease.token)],
            );
            if (held.length === 0) return false;
          }
          open.set(native as object, query);
          try {
            await work(native as Tx);
          } finally {
            open.delete(native as object);
          }
          if (update.position !== undefined) {
            await query(
              `INSERT INTO ${s}.checkpoints (grp, partition, position) VALUES ($1, $2, $3::bigint)
               ON CONFLICT (grp, partition) DO UPDATE SET position = EXCLUDED.position`,
              [update.group, update.partition, String(update.position)],
            );
          }
          return true;
        });
      } catch (error) {
        throw translateError(error, "commit");
      }
    },

    async reset(group) {
      await guarded(driver.query)(`DELETE FROM ${s}.checkpoints WHERE grp = $1`, [group]);
    },
  };

  const parked: ParkedMessageStore<Tx> = {
    async park(entry: ParkedMessage, options?: { readonly tx?: Tx }) {
      await through(options?.tx, "options.tx")(
        `INSERT INTO ${s}.parked (grp, message_id, partition, global_position, message, error, attempts, parked_at)
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
    },

    async list(group: string, options: ListParkedOptions = {}) {
      const limit = options.limit ?? 100;
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new ValidationError("options.limit", limit, "a limit is a whole number from 1");
      }
      const rows = await guarded(driver.query)(
        `SELECT ${PARKED_COLUMNS} FROM ${s}.parked WHERE grp = $1 AND global_position > $2::bigint ORDER BY global_position LIMIT $3`,
        [group, String(options.after ?? -1n), limit],
      );
      return rows.map(toParked);
    },

    async get(group: string, messageId: string) {
      const rows = await guarded(driver.query)(
        `SELECT ${PARKED_COLUMNS} FROM ${s}.parked WHERE grp = $1 AND message_id::text = lower($2)`,
        [group, messageId],
      );
      return rows.length === 0 ? undefined : toParked(rows[0]);
    },

    async remove(group: string, messageId: string, options?: { readonly tx?: Tx }) {
      const rows = await through(options?.tx, "options.tx")(
        `DELETE FROM ${s}.parked WHERE grp = $1 AND message_id::text = lower($2) RETURNING 1 AS removed`,
        [group, messageId],
      );
      return rows.length > 0;
    },
  };

  const processed: ProcessedMessageStore<Tx> = {
    async has(scope: string, key: string, options?: { readonly tx?: Tx }) {
      const rows = await through(options?.tx, "options.tx")(
        `SELECT 1 FROM ${s}.processed WHERE scope = $1 AND key = $2`,
        [scope, key],
      );
      return rows.length > 0;
    },
    async record(scope: string, key: string, options?: { readonly tx?: Tx }) {
      await through(options?.tx, "options.tx")(
        `INSERT INTO ${s}.processed (scope, key) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [scope, key],
      );
    },
  };

  return {
    checkpoints,
    parked,
    processed,
    leases: createLeaseStoreOverQuery(guarded(driver.query), s),
    singleConnection: options.singleConnection ?? false,
  };
}

const PARKED_COLUMNS =
  "grp, partition, message::text AS message, error::text AS error, attempts, to_char(parked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS parked_at";

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

// Driver failures outside a transaction become ordo's errors too.
function guarded(query: QueryFn): QueryFn {
  return async (text, params) => {
    try {
      return await query(text, params);
    } catch (error) {
      throw translateError(error, "consumer storage");
    }
  };
}
