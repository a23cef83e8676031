/**
 * Browsing the PostgreSQL store, for operators' tools: streams by name,
 * categories, and capped counts. A page of streams walks the
 * (stream_name, stream_version) index the store keeps anyway, one probe per
 * stream, so its cost does not grow with the store (docs/decisions/operations.md).
 *
 * @module
 */

import {
  type CategorySummary,
  compareNames,
  type CountMessagesOptions,
  type ListStreamsOptions,
  namePrefixOf,
  type StreamPage,
  type StreamSummary,
  validateCountMessagesOptions,
  validateListStreamsOptions,
} from "../../core/mod.ts";
import type { Row } from "./driver.ts";
import type { StoreSql } from "./_store_sql.ts";

/** Names looked at per call at most, when a filter (a type) may skip many. */
export const STREAM_SCAN_BUDGET = 1000;

/** The store's browsing queries. */
export class Browse {
  readonly #sql: StoreSql;
  #byCodePoint: Promise<boolean> | undefined;

  constructor(sql: StoreSql) {
    this.#sql = sql;
  }

  async listStreams(options?: ListStreamsOptions): Promise<StreamPage> {
    const { category, prefix, type, after, limit } = validateListStreamsOptions(options);
    const start = namePrefixOf(category, prefix);
    if (start === undefined) return { streams: [], next: undefined, end: true };
    // A prefix is a range of the index only where names sort by code point.
    const ranged = start !== "" && await this.#namesByCodePoint();
    const upper = ranged ? upperBound(start) : undefined;
    const statements = this.#sql.statements;
    const rows = await this.#sql.query(
      "listStreams",
      upper === undefined ? statements.listStreams : statements.listStreamsBelow,
      [
        after,
        ranged ? start : "",
        upper ?? null,
        start === "" ? null : start,
        type ?? null,
        limit + 1,
        STREAM_SCAN_BUDGET,
      ],
    );
    const matched = rows.filter((row) => row.matched === true);
    if (matched.length > limit) {
      const streams = matched.slice(0, limit).map(toSummary);
      return { streams, next: streams[limit - 1].streamName, end: false };
    }
    const streams = matched.map(toSummary);
    const last = rows[rows.length - 1];
    // The walk stopped at its budget, not at the last name: there may be more.
    if (last !== undefined && Number(last.n) >= STREAM_SCAN_BUDGET) {
      return { streams, next: last.name as string, end: false };
    }
    return { streams, next: undefined, end: true };
  }

  async listCategories(): Promise<CategorySummary[]> {
    const rows = await this.#sql.query("listCategories", this.#sql.statements.listCategories, []);
    return rows
      .map((row) => ({
        category: row.category as string,
        lastPosition: BigInt(row.last as string),
      }))
      .sort((a, b) => compareNames(a.category, b.category));
  }

  async countMessages(options?: CountMessagesOptions): Promise<number> {
    const { category, types, from, max } = validateCountMessagesOptions(options);
    const statements = this.#sql.statements;
    const [row] = await this.#sql.query(
      "countMessages",
      category === undefined ? statements.countAll : statements.countCategory,
      [category ?? null, String(from), types === undefined ? null : JSON.stringify(types), max],
    );
    return Number(row.n);
  }

  #namesByCodePoint(): Promise<boolean> {
    this.#byCodePoint ??= this.#sql.query(
      "listStreams",
      this.#sql.statements.namesByCodePoint,
      [],
    ).then(([row]) => row?.by_code_point === true).catch((error) => {
      this.#byCodePoint = undefined;
      throw error;
    });
    return this.#byCodePoint;
  }
}

/**
 * The least text above every name starting with `prefix`, in code point
 * order: the prefix with its last code point one higher (past the
 * surrogates). `undefined` when its last code point is the highest there is.
 */
export function upperBound(prefix: string): string | undefined {
  const points = [...prefix];
  const last = points.pop()!.codePointAt(0)!;
  if (last >= 0x10ffff) return undefined;
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
  return points.join("") + String.fromCodePoint(next);
}

function toSummary(row: Row): StreamSummary {
  const name = row.name as string;
  return {
    streamName: name,
    category: name.slice(0, name.indexOf("-")),
    version: Number(row.version),
    globalPosition: BigInt(row.position as string),
    lastType: row.type as string,
    ...(typeof row.ts === "string" ? { lastTimestamp: row.ts } : {}),
  };
}
