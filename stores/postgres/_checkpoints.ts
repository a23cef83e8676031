/**
 * Consumer checkpoints in PostgreSQL. A commit runs the handler's work and
 * saves the checkpoint in one transaction, fenced by the partition's lease
 * when there is one, so a handler that writes its read model through
 * `context.tx` takes effect exactly once.
 *
 * @module
 */

import type {
  CheckpointEntry,
  CheckpointStore,
  CheckpointUpdate,
  LeaseFence,
} from "../../core/mod.ts";
import type { PostgresDriver, QueryFn } from "./driver.ts";
import type { OpenTransactions } from "./_open_transactions.ts";
import { translateError } from "./translate_error.ts";

/** Where each group's partitions will read next (`<schema>.checkpoints`). */
export class PostgresCheckpoints<Tx> implements CheckpointStore<Tx> {
  readonly #driver: PostgresDriver;
  readonly #schema: string;
  readonly #transactions: OpenTransactions<Tx>;

  constructor(driver: PostgresDriver, schema: string, transactions: OpenTransactions<Tx>) {
    this.#driver = driver;
    this.#schema = schema;
    this.#transactions = transactions;
  }

  async load(group: string, partition: number): Promise<bigint | undefined> {
    const rows = await this.#transactions.outside()(
      `SELECT position::text AS position FROM ${this.#schema}.checkpoints WHERE grp = $1 AND partition = $2`,
      [group, partition],
    );
    return rows.length === 0 ? undefined : BigInt(rows[0].position as string);
  }

  async commit(update: CheckpointUpdate, work: (tx: Tx) => Promise<void> | void): Promise<boolean> {
    const check = this.#transactions.schemaCheck;
    if (!check.passed) await check.ensure("commit");
    // The handler's own failures pass through as they are: a missing table in
    // its SQL is its fault, not a sign that ordo's schema is not migrated.
    let workFailed = false;
    try {
      return await this.#driver.transaction(async (native, query) => {
        if (update.lease !== undefined && !await this.#holdsLease(query, update, update.lease)) {
          return false;
        }
        await this.#transactions.within(native as Tx, query, async () => {
          try {
            await work(native as Tx);
          } catch (error) {
            workFailed = true;
            throw error;
          }
        });
        if (update.position !== undefined) {
          await query(
            `INSERT INTO ${this.#schema}.checkpoints (grp, partition, position) VALUES ($1, $2, $3::bigint)
               ON CONFLICT (grp, partition) DO UPDATE SET position = EXCLUDED.position`,
            [update.group, update.partition, String(update.position)],
          );
        }
        return true;
      });
    } catch (error) {
      throw workFailed
        ? translateError(error, "commit")
        : translateError(error, "commit", this.#schema);
    }
  }

  async reset(group: string): Promise<void> {
    await this.#transactions.outside()(`DELETE FROM ${this.#schema}.checkpoints WHERE grp = $1`, [
      group,
    ]);
  }

  async list(): Promise<CheckpointEntry[]> {
    const rows = await this.#transactions.outside()(
      `SELECT grp, partition, position::text AS position FROM ${this.#schema}.checkpoints ORDER BY grp COLLATE "C", partition`,
      [],
    );
    return rows.map((row) => ({
      group: row.grp as string,
      partition: Number(row.partition),
      position: BigInt(row.position as string),
    }));
  }

  // FOR SHARE: a new owner's acquire (an UPDATE of this row) waits until this commit ends.
  async #holdsLease(
    query: QueryFn,
    update: CheckpointUpdate,
    lease: LeaseFence,
  ): Promise<boolean> {
    const held = await query(
      `SELECT 1 FROM ${this.#schema}.leases WHERE grp = $1 AND partition = $2 AND owner = $3 AND token = $4::bigint
                 AND expires_at > clock_timestamp() FOR SHARE`,
      [update.group, update.partition, lease.owner, String(lease.token)],
    );
    return held.length > 0;
  }
}
