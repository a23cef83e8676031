/**
 * How a store answers an append whose message ids it already holds. One rule
 * for every adapter, written down once in docs/decisions/idempotent-append.md:
 *
 * - no id stored yet: a new append, checked against `expectedVersion`;
 * - every id stored, all in this stream, at consecutive versions in the order
 *   given: a retry of that append. Nothing is written and the original
 *   positions come back, whatever `expectedVersion` says (the first attempt
 *   already moved the stream past it);
 * - anything else (some ids stored and some not, an id stored in another
 *   stream, the same ids in another order): `DuplicateMessageError`, since no
 *   single earlier append can explain the batch.
 *
 * @module
 */

import { DuplicateMessageError } from "./errors.ts";
import type { AppendResult, MessagePosition } from "./event_store.ts";
import type { Message } from "./message.ts";

/** Where a stored message is, as an adapter looks it up by id. */
export interface StoredPosition {
  /** Stream the message was appended to. */
  readonly streamName: string;
  /** Its version in that stream, from 0. */
  readonly streamVersion: number;
  /** Its position in the store's global order, above 0. */
  readonly globalPosition: bigint;
}

/**
 * Decides what an append does given the positions already stored under its
 * ids (`stored[i]` for `messages[i]`, `undefined` when not stored).
 *
 * @returns the retry's result when the append was already done, `undefined`
 *   when it is new and should be written
 * @throws {DuplicateMessageError} when the batch only partly matches what is stored
 * @example
 * ```ts
 * import { resolveAppendRetry } from "./append_retry.ts";
 * const messages = [{ id: "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a", type: "T", data: {}, metadata: { timestamp: "" } }];
 * resolveAppendRetry("order-1", messages, [undefined]); // undefined: a new append
 * ```
 */
export function resolveAppendRetry(
  streamName: string,
  messages: readonly Message[],
  stored: readonly (StoredPosition | undefined)[],
): AppendResult | undefined {
  const firstStored = stored.findIndex((position) => position !== undefined);
  if (firstStored === -1) return undefined;
  const first = stored[0];
  for (let i = 0; i < messages.length; i++) {
    const position = stored[i];
    const fits = position !== undefined && first !== undefined &&
      position.streamName === streamName &&
      position.streamVersion === first.streamVersion + i;
    if (!fits) {
      const culprit = position ?? stored[firstStored]!;
      const culpritIndex = position ? i : firstStored;
      throw new DuplicateMessageError(
        streamName,
        messages[culpritIndex].id,
        culprit.streamName,
        culprit.streamVersion,
      );
    }
  }
  const positions: MessagePosition[] = stored.map((position, i) => ({
    id: messages[i].id,
    streamVersion: position!.streamVersion,
    globalPosition: position!.globalPosition,
  }));
  const last = positions[positions.length - 1];
  return {
    streamName,
    streamVersion: last.streamVersion,
    globalPosition: last.globalPosition,
    positions,
    deduplicated: true,
  };
}
