/**
 * What a consumer calls for each message, and what it tells the handler.
 *
 * @module
 */

import type { RecordedMessage } from "../message.ts";
import type { TraceContext } from "../telemetry/mod.ts";
import type { ParkedMessage } from "./storage.ts";

/**
 * How a consumer commits its checkpoint:
 * - `"message"`: the handler runs inside the transaction that then saves the
 *   message's checkpoint (one commit per message);
 * - `"page"`: the handlers of a whole page run in one such transaction;
 * - `"after-handler"`: the handler runs outside any storage transaction
 *   (`context.tx` is `undefined`), and the checkpoint commits after it
 *   resolved. For handlers that write to the event store itself, or anywhere
 *   a transaction of the consumer storage must not stay open meanwhile (on
 *   PGlite, one connection, such a write would wait for it forever).
 *   Delivery stays at least once: a crash after the handler and before the
 *   commit runs it again.
 */
export type CommitMode = "message" | "page" | "after-handler";

/** The commit modes whose handler runs inside the checkpoint's transaction. */
export type TransactionalCommit = Exclude<CommitMode, "after-handler">;

/**
 * What `context.tx` is under a commit mode: the storage's transaction, or
 * `undefined` when the handler runs before the commit (`"after-handler"`).
 */
export type HandlerTx<Tx, Commit extends CommitMode> = Commit extends "after-handler" ? undefined
  : Tx;

/** What a handler gets besides the message. */
export interface HandlerContext<Tx> {
  /**
   * The storage's transaction: writes made through it commit together with
   * the checkpoint (exactly once). Its type is the storage's (`MemoryTransaction`,
   * a PostgreSQL transaction, …); `undefined` under `commit: "after-handler"`.
   */
  readonly tx: Tx;
  /** 1 on first delivery, 2 on the first retry, and so on; replays count on. */
  readonly attempt: number;
  /** The consumer's group. */
  readonly group: string;
  /** The partition the message belongs to in a consumer group; 0 for a consumer without partitions. */
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
  /**
   * The context of this handler call's span, when the consumer has
   * telemetry: pass it as `trace` to the appends and bus calls the handler
   * makes, so they join the trace.
   */
  readonly trace?: TraceContext;
}

/**
 * Handles one message. Throwing means "not handled": the message is retried
 * with backoff, then parked. It must tolerate seeing a message again (delivery
 * is at least once) unless all its effects go through `context.tx`. `M` is
 * the message type: a union over the store's message types when it is typed.
 */
export type MessageHandler<Tx, M = RecordedMessage> = (
  message: M,
  context: HandlerContext<Tx>,
) => Promise<void> | void;

/**
 * What a page handler gets besides its messages: the transaction they share
 * and, through {@link PageContext.of}, each message's own context.
 */
export interface PageContext<Tx> {
  /**
   * The storage's transaction: everything written through it commits together
   * with the checkpoint after the page's last message (exactly once).
   */
  readonly tx: Tx;
  /**
   * 1 for a page's first try; a page of one message after a failure counts
   * its attempts as a single message's do (2 on its first retry, and so on).
   */
  readonly attempt: number;
  /** The consumer's group. */
  readonly group: string;
  /** The partition the messages belong to in a consumer group; 0 for a consumer without partitions. */
  readonly partition: number;
  /**
   * The context of one message of the page: its idempotency key and `once`,
   * whose effect runs at most once per message and scope, whichever pages
   * the message is delivered in.
   */
  of(message: RecordedMessage): HandlerContext<Tx>;
}

/**
 * Handles a page of messages at once, in order, all in one transaction:
 * what a projection into SQL tables wants, one statement per page (postgres.js
 * `sql(rows)` or `unnest`) instead of one per message. Throwing means the page
 * is not handled: its transaction rolls back and the consumer narrows it down
 * (halves, then single messages) until the message at fault is alone, which
 * is retried with backoff, then parked; the others commit in pages around it.
 * So a page handler must give the same result whichever pages a message
 * arrives in, and tolerate seeing a message again unless all its effects go
 * through `context.tx`. `M` is the message type.
 */
export type PageHandler<Tx, M = RecordedMessage> = (
  messages: readonly M[],
  context: PageContext<Tx>,
) => Promise<void> | void;

/** Where an error reported to {@link ConsumerHooks.onError} happened. */
export interface ConsumerErrorContext {
  /**
   * `handler`: the handler threw (it will be retried or parked);
   * `store`/`storage`: reading or committing failed (retried);
   * `onParked`: the `onParked` hook rejected (retried).
   */
  readonly phase: "handler" | "store" | "storage" | "onParked";
  /** The partition whose work failed: 0 without partitions, -1 for a group member's heartbeat or leave. */
  readonly partition: number;
  /** The message being handled or parked; absent when reading, loading a checkpoint or heartbeating failed. */
  readonly message?: RecordedMessage;
  /** The handler attempt the failure concerns, 1 for the first, when there is one. */
  readonly attempt?: number;
}

/** Progress of a consumer after each page it handled. */
export interface PageProgress {
  /** The partition the page was read for; 0 for a consumer without partitions. */
  readonly partition: number;
  /** Messages handled or parked in this page. */
  readonly handled: number;
  /** The checkpoint after the page. */
  readonly position: bigint;
}

/** Callbacks a consumer calls as it works. They must not throw, except `onParked`. */
export interface ConsumerHooks {
  /** Every time the consumer has read everything there was and starts waiting. */
  readonly onCaughtUp?: (position: bigint, partition: number) => void;
  /**
   * A message was parked after its last attempt. The consumer awaits it before
   * it handles the next message; a rejection is reported to `onError` (phase
   * `onParked`) and the call retried with backoff until it resolves or the
   * consumer stops. Under `commit: "after-handler"` it runs after the entry
   * was stored and before the checkpoint moves past the message, so a crash
   * at any point delivers the message again rather than skip this call: it
   * must tolerate running twice. Under the other modes it runs after the
   * entry and the checkpoint committed together; a crash before it ends
   * skips it (the entry is parked all the same).
   */
  readonly onParked?: (entry: ParkedMessage) => void | Promise<void>;
  /**
   * A failure the consumer will retry, or a handler failure before parking.
   * Each is logged through the consumer's `logger` as well, whether or not this is given.
   */
  readonly onError?: (error: unknown, context: ConsumerErrorContext) => void;
  /**
   * After each page, also one that an abort or a lost lease cut short (then
   * with what it committed), so that the pages reported add up to the checkpoint.
   */
  readonly onPage?: (progress: PageProgress) => void;
}
