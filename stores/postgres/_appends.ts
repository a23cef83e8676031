/**
 * Appends to the PostgreSQL store. Several messages go through the append
 * function; one message goes through one plain statement, and one-message
 * appends made while the store is busy go out together, one statement and one
 * commit for the group (docs/decisions/postgres-grouped-appends.md), each
 * caller still answered as if it had appended alone.
 *
 * @module
 */

import {
  type AppendResult,
  ConcurrencyError,
  type ExpectedVersion,
  type Message,
} from "../../core/mod.ts";
import type { Row } from "./driver.ts";
import { GroupedAppends, type Outcome } from "./grouped_appends.ts";
import {
  expectedCheck,
  groupEntryJson,
  isUniqueViolation,
  numbered,
  numberedRange,
  retried,
  type SingleAppend,
} from "./_append_results.ts";
import type { StoreSql } from "./_store_sql.ts";
import { checkJsonbBytes, jsonbTooLarge } from "./_jsonb_limit.ts";

// Groups stay small enough that one statement's payload is modest; the
// sixteen-writer bench makes groups of sixteen.
const MAX_GROUP = 256;
const MAX_GROUP_BYTES = 1 << 20;

/** The store's appends: one message grouped with others, or several through the function. */
export class Appends {
  readonly #sql: StoreSql;
  readonly #groups: GroupedAppends<SingleAppend, AppendResult>;

  /** `maxInFlight`: one-message appends running at once before the next ones wait and group. */
  constructor(sql: StoreSql, maxInFlight: number) {
    this.#sql = sql;
    this.#groups = new GroupedAppends((items) => this.#appendGroup(items), {
      maxInFlight,
      maxGroup: MAX_GROUP,
      maxGroupBytes: MAX_GROUP_BYTES,
    });
  }

  /** Appends one validated message, in a group if others are being appended meanwhile. */
  async one(
    streamName: string,
    message: Message,
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const single: SingleAppend = {
      streamName,
      message,
      expected,
      data: JSON.stringify(message.data),
      metadata: JSON.stringify(message.metadata),
    };
    checkJsonbBytes([single.data, single.metadata], [message]);
    const bytes = single.data.length + single.metadata.length;
    return await this.#groups.submit({ stream: streamName, id: message.id, bytes, item: single });
  }

  /** Resolves once every append made so far has finished. */
  async idle(): Promise<void> {
    await this.#groups.idle();
  }

  /** Appends several validated messages to one stream, through the append function. */
  async many(
    streamName: string,
    checked: readonly Message[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const payload = JSON.stringify(
      checked.map((m) => ({ id: m.id, type: m.type, data: m.data, metadata: m.metadata })),
    );
    // One jsonb array: bounded as a whole, each message's data within it.
    checkJsonbBytes([payload], checked);
    for (let attempt = 1;; attempt++) {
      let rows: Row[];
      try {
        rows = await this.#sql.driver.query(this.#sql.statements.append, [
          streamName,
          String(expected),
          payload,
        ]);
      } catch (error) {
        if (!isUniqueViolation(error)) {
          throw jsonbTooLarge(error, checked) ?? this.#sql.translate(error, "append");
        }
        // Some id is stored already (a retry), and nothing of this attempt was
        // written. Answer from what is stored; if the stored rows are gone from
        // view (a concurrent writer rolled back), run the append again.
        const stored = await this.#sql.query("append", this.#sql.statements.storedIds, [
          `{${checked.map((m) => m.id).join(",")}}`,
        ]);
        if (stored.length > 0) return retried(streamName, checked, stored);
        if (attempt < 5) continue;
        throw this.#sql.translate(error, "append");
      }
      const status = rows[0].status;
      if (status === "conflict") {
        const actual = rows[0].stream_version;
        throw new ConcurrencyError(
          streamName,
          expected,
          actual === null ? undefined : Number(actual),
        );
      }
      if (status === "stored") return retried(streamName, checked, rows);
      if (status === "range") return numberedRange(streamName, checked, rows[0]);
      return numbered(streamName, rows);
    }
  }

  // A group of one-message appends to distinct streams: one statement, one
  // commit. An append it leaves out (a conflict, an id already stored) or a
  // group that fails (a race with another process on a stream or an id, a
  // value the server refuses, a dropped connection) runs alone afterwards, so
  // that each caller gets exactly what its append alone would have got; ids
  // make that safe even if the failed group did commit.
  async #appendGroup(items: readonly SingleAppend[]): Promise<Outcome<AppendResult>[]> {
    const grouped = new Map<string, Row>();
    if (items.length > 1) {
      const payload = `[${items.map(groupEntryJson).join(",")}]`;
      try {
        for (
          const row of await this.#sql.driver.query(this.#sql.statements.appendGroup, [payload])
        ) {
          grouped.set(row.id as string, row);
        }
      } catch {
        // Each runs alone below, and meets the error itself if it persists.
      }
    }
    return await Promise.all(items.map(async (item): Promise<Outcome<AppendResult>> => {
      const row = grouped.get(item.message.id);
      if (row !== undefined) return { ok: true, value: numbered(item.streamName, [row]) };
      try {
        return { ok: true, value: await this.#appendAlone(item) };
      } catch (error) {
        return { ok: false, error };
      }
    }));
  }

  async #appendAlone(item: SingleAppend): Promise<AppendResult> {
    const appended = await this.#appendOne(item);
    return appended ?? await this.many(item.streamName, [item.message], item.expected);
  }

  // One message: one plain INSERT that reads the stream's version and checks
  // the expected one itself, faster than the append function (measured, see
  // postgres-global-order.md). It inserts only while holding the stream's
  // lock, as the function does, so the function never meets its row
  // half-written; but it read the version in a snapshot taken before the
  // lock, so after a race on the same stream it fails on the (stream,
  // version) unique index rather than write a wrong version. On that failure,
  // on a conflict and on an id already stored it returns nothing, and the
  // function decides.
  async #appendOne(
    { streamName, message, expected, data, metadata }: SingleAppend,
  ): Promise<AppendResult | undefined> {
    const { check, version } = expectedCheck(expected);
    const params = [
      message.id,
      streamName,
      check,
      version,
      message.type,
      data,
      metadata,
    ];
    let rows: Row[];
    try {
      rows = await this.#sql.driver.query(this.#sql.statements.appendOne, params);
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw jsonbTooLarge(error, [message]) ?? this.#sql.translate(error, "append");
    }
    if (rows.length === 0) return undefined;
    return numbered(streamName, [{ ...rows[0], id: message.id }]);
  }
}
