/**
 * How the PostgreSQL store encodes a one-message append for its statements,
 * and turns the rows its appends return into an `AppendResult`.
 *
 * @module
 */

import {
  type AppendResult,
  type ExpectedVersion,
  type Message,
  type MessagePosition,
  resolveAppendRetry,
  type StoredPosition,
} from "../../core/mod.ts";
import type { Row } from "./driver.ts";

/** A one-message append, its data and metadata already JSON. */
export interface SingleAppend {
  readonly streamName: string;
  readonly message: Message;
  readonly expected: ExpectedVersion;
  readonly data: string;
  readonly metadata: string;
}

/**
 * An expected version as the one-message statements take it: what to check
 * ("any", "no-stream", "exists", or "version"), and the version for "version".
 */
export function expectedCheck(
  expected: ExpectedVersion,
): { check: string; version: number | null } {
  return typeof expected === "number"
    ? { check: "version", version: expected }
    : { check: expected, version: null };
}

/**
 * One append as an element of the group statement's JSON array; data and
 * metadata are JSON already and go in as they are.
 */
export function groupEntryJson(
  { streamName, message, expected, data, metadata }: SingleAppend,
): string {
  const { check, version } = expectedCheck(expected);
  return `{"id":"${message.id}","stream":${
    JSON.stringify(streamName)
  },"expected":"${check}","version":${version},"type":${
    JSON.stringify(message.type)
  },"data":${data},"metadata":${metadata}}`;
}

/**
 * A fresh append: each row holds a message's id, version and position. They
 * are put in version order, which is the order of the messages appended.
 */
export function numbered(streamName: string, rows: Row[]): AppendResult {
  const positions = rows.map((row) => ({
    id: row.id as string,
    streamVersion: Number(row.stream_version),
    globalPosition: BigInt(row.global_position as string),
  })).sort((a, b) => a.streamVersion - b.streamVersion);
  return freshResult(streamName, positions);
}

/**
 * A fresh append whose rows got consecutive positions: the row holds the last
 * version and the last position.
 */
export function numberedRange(
  streamName: string,
  checked: readonly Message[],
  row: Row,
): AppendResult {
  const lastVersion = Number(row.stream_version);
  const lastPosition = BigInt(row.global_position as string);
  return freshResult(
    streamName,
    checked.map((m, i) => {
      const before = checked.length - 1 - i;
      return {
        id: m.id,
        streamVersion: lastVersion - before,
        globalPosition: lastPosition - BigInt(before),
      };
    }),
  );
}

// The result of a fresh append, from its messages' positions in order: the last one is the append's.
function freshResult(streamName: string, positions: MessagePosition[]): AppendResult {
  const last = positions[positions.length - 1];
  return {
    streamName,
    streamVersion: last.streamVersion,
    globalPosition: last.globalPosition,
    positions,
    deduplicated: false,
  };
}

/** Some ids were stored already: decide with the shared rule. */
export function retried(
  streamName: string,
  checked: readonly Message[],
  rows: Row[],
): AppendResult {
  const byId = new Map<string, StoredPosition>(rows.map((row) => [row.id as string, {
    streamName: row.stream_name as string,
    streamVersion: Number(row.stream_version),
    globalPosition: BigInt(row.global_position as string),
  }]));
  const result = resolveAppendRetry(streamName, checked, checked.map((m) => byId.get(m.id)));
  if (result === undefined) throw new Error("A stored append was reported but no id matched");
  return result;
}

/** Whether the server refused a row on a unique index (an id or a stream version taken). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}
