/**
 * Reads from the PostgreSQL store. A stream read needs no head (per-stream
 * order is kept by the stream's lock); a global read stops at the readable
 * head, and reads below the head the store already knows without asking for
 * a new one.
 *
 * @module
 */

import type { RecordedMessage } from "../../core/mod.ts";
import type { Row } from "./driver.ts";
import type { HeadWatch } from "./_head_watch.ts";
import type { StoreSql } from "./_store_sql.ts";

/** The store's reads, stream by stream and in global order. */
export class Reads {
  readonly #sql: StoreSql;
  readonly #head: HeadWatch;

  constructor(sql: StoreSql, head: HeadWatch) {
    this.#sql = sql;
    this.#head = head;
  }

  /** A stream's messages from version `from` (both ends inclusive), at most `limit` (null: all). */
  async stream(
    operation: string,
    streamName: string,
    direction: "forward" | "backward",
    from: number,
    limit: number | null,
  ): Promise<RecordedMessage[]> {
    const text = direction === "forward"
      ? this.#sql.statements.readStreamForward
      : this.#sql.statements.readStreamBackward;
    return (await this.#sql.query(operation, text, [streamName, from, limit])).map(toRecorded);
  }

  /** The message with this id, if stored. */
  async byId(id: string): Promise<RecordedMessage | undefined> {
    const [row] = await this.#sql.query("getMessage", this.#sql.statements.messageById, [id]);
    return row === undefined ? undefined : toRecorded(row);
  }

  // A global read stops at the readable head. Below the head the store
  // already knows, nothing can still appear, so a page that is full below it
  // needs no new head: a catch-up costs one plain query per page. Near the
  // head, or after a short page, the rest is read by read_to_head(), which
  // computes a fresh head and reads up to it in one round trip (its first row
  // is the head).
  async global(
    operation: string,
    from: bigint,
    limit: number,
    category: string | null,
    types: readonly string[] | undefined,
  ): Promise<RecordedMessage[]> {
    const typesJson = types === undefined ? null : JSON.stringify(types);
    const known = this.#head.known;
    let rows: Row[] = [];
    // Fewer positions than the limit up to the known head: that page would be short anyway.
    if (from <= known && Number(known - from) >= limit) {
      rows = await this.#sql.query(
        operation,
        ...this.#pageBelow(category, typesJson, String(from), limit, String(known)),
      );
      if (rows.length === limit) return rows.map(toRecorded);
    }
    const next = rows.length === 0
      ? from
      : BigInt(rows[rows.length - 1].globalPosition as string) + 1n;
    const [head, ...more] = await this.#sql.query(operation, this.#sql.statements.readToHead, [
      String(next),
      limit - rows.length,
      category,
      typesJson,
    ]);
    this.#head.learn(BigInt(head.globalPosition as string));
    return rows.concat(more).map(toRecorded);
  }

  // The plain statement for a page up to a known bound, and its parameters.
  #pageBelow(
    category: string | null,
    typesJson: string | null,
    from: string,
    limit: number,
    bound: string,
  ): [string, unknown[]] {
    if (category === null) {
      return typesJson === null
        ? [this.#sql.statements.readAll, [from, limit, bound]]
        : [this.#sql.statements.readAllTypes, [from, limit, bound, typesJson]];
    }
    return typesJson === null
      ? [this.#sql.statements.readCategory, [category, from, limit, bound]]
      : [this.#sql.statements.readCategoryTypes, [category, from, limit, bound, typesJson]];
  }
}

// Rows arrive with RecordedMessage's field names (the SQL aliases them so);
// converting them in place saves an object per message on catch-up reads.
function toRecorded(row: Row): RecordedMessage {
  row.data = JSON.parse(row.data as string);
  row.metadata = JSON.parse(row.metadata as string);
  row.streamVersion = Number(row.streamVersion);
  row.globalPosition = BigInt(row.globalPosition as string);
  return row as unknown as RecordedMessage;
}
