/**
 * What a consumer calls for each message, and what it tells the handler.
 *
 * @module
 */

import type { RecordedMessage } from "../message.ts";
import type { ParkedMessage } from "./storage.ts";

/** What a handler gets besides the message. */
export interface HandlerContext<Tx> {
  /**
   * The storage's transaction: writes made through it commit together with
   * the checkpoint (exactly once). Its type is the storage's (`MemoryTransaction`,
   * a PostgreSQL transaction, …).
   */
  readonly tx: Tx;
  /** 1 on first delivery, 2 on the first retry, and so on; replays count on. */
  readonly attempt: number;
  readonly group: string;
  readonly partition: number;
  /** The message id: pass it as the idempotency key of calls to other systems. */
  readonly idempotencyKey: string;
  /**
   * Runs `effect` unless it already ran for this message under `scope`, then
   * records it at once (outside `tx`, so a later failure of this handler does
   * not forget it). Resolves whether the effect ran. A crash between the
   * effect finishing and the record being written repeats the effect; pass
   * the key to the other system to close that window (docs/decisions/consumers.md).
   */
  once(scope: string, effect: (idempotencyKey: string) => Promise<void> | void): Promise<boolean>;
}

/**
 * Handles one message. Throwing means "not handled": the message is retried
 * with backoff, then parked. It must tolerate seeing a message again (delivery
 * is at least once) unless all its effects go through `context.tx`.
 */
export type MessageHandler<Tx> = (
  message: RecordedMessage,
  context: HandlerContext<Tx>,
) => Promise<void> | void;

/** Where an error reported to {@link ConsumerHooks.onError} happened. */
export interface ConsumerErrorContext {
  /** `handler`: the handler threw (it will be retried or parked); `store`/`storage`: reading or committing failed (retried). */
  readonly phase: "handler" | "store" | "storage";
  readonly partition: number;
  readonly message?: RecordedMessage;
  readonly attempt?: number;
}

/** Progress of a consumer after each page it handled. */
export interface PageProgress {
  readonly partition: number;
  /** Messages handled or parked in this page. */
  readonly handled: number;
  /** The checkpoint after the page. */
  readonly position: bigint;
}

/** Callbacks a consumer calls as it works. They must not throw. */
export interface ConsumerHooks {
  /** Every time the consumer has read everything there was and starts waiting. */
  readonly onCaughtUp?: (position: bigint, partition: number) => void;
  /** A message was parked after its last attempt. */
  readonly onParked?: (entry: ParkedMessage) => void;
  /** A failure the consumer will retry, or a handler failure before parking. Default: ignored. */
  readonly onError?: (error: unknown, context: ConsumerErrorContext) => void;
  /** After each page. */
  readonly onPage?: (progress: PageProgress) => void;
}
