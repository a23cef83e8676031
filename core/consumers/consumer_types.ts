/**
 * The shapes of a consumer: the options `createConsumer` takes and the
 * running consumer it returns. Apart from the engine so that the engine's
 * parts and the consumer itself both depend on them, never on each other.
 *
 * @module
 */

import type { Logger } from "../logger.ts";
import type { JsonMessage, MessageShape, RecordedMessageOf } from "../message.ts";
import type { RetryPolicy } from "./backoff.ts";
import type {
  CommitMode,
  ConsumerHooks,
  HandlerTx,
  MessageHandler,
  PageHandler,
  TransactionalCommit,
} from "./handler.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import type { ConsumerSource } from "./source.ts";
import type { ConsumerStatus, WaitForOptions } from "./status.ts";
import type { ConsumerStorage, ListParkedOptions, ParkedMessage, StoredError } from "./storage.ts";

/**
 * Options of `createConsumer`. `Commit` is the commit mode, inferred
 * from `commit`: under `"after-handler"` the handler's `context.tx` is `undefined`.
 * `E` is the store's message types, inferred from the store: the handler's
 * message is a union over them.
 */
export interface CreateConsumerOptions<
  Tx,
  Commit extends CommitMode = TransactionalCommit,
  E extends MessageShape = JsonMessage,
> extends ConsumerHooks {
  /** Names the checkpoint and the parked list; consumers of one group share them. */
  readonly group: string;
  /** What it reads: one stream, one category or the whole store, perhaps only some types. */
  readonly source: ConsumerSource;
  /**
   * Called once per message in the source's order (again after a failure or a
   * crash). Give either this or `pageHandler`.
   */
  readonly handler?: MessageHandler<HandlerTx<Tx, Commit>, RecordedMessageOf<E>>;
  /**
   * Called with the messages of a page at once, in the source's order, in one
   * transaction with the page's checkpoint: one statement per page for a
   * projection into SQL. With it, `commit` defaults to `"page"`; under
   * `"message"` and `"after-handler"` every page holds one message. A page that
   * fails is narrowed down to the message at fault (see {@link PageHandler}).
   * Give either this or `handler`.
   */
  readonly pageHandler?: PageHandler<HandlerTx<Tx, Commit>, RecordedMessageOf<E>>;
  /** Where checkpoints, parked messages and leases live; its transaction is the handler's `context.tx`. */
  readonly storage: ConsumerStorage<Tx>;
  /**
   * Messages per read, and so per page. While one page is handled the next
   * is read, so at most two pages are held in memory at once. Default 100.
   */
  readonly batchSize?: number;
  /**
   * How the checkpoint commits (see {@link CommitMode}). `"message"` (the
   * default with `handler`): one transaction per message, the handler inside it. `"page"`:
   * the handlers of a whole page run in one transaction, which then saves the
   * page's checkpoint — far fewer commits when catching up (the default with
   * `pageHandler`). If a handler in the page fails, the page rolls back and is
   * delivered again in halves, down to the failing message alone (so handlers
   * before the failing one run again; their writes through `tx` take effect once). `stop()` then waits for the page in
   * progress. `"after-handler"`: the handler runs outside any transaction
   * (`tx` is `undefined`) and the checkpoint commits once it resolved; a
   * failed commit is retried without running the handler again.
   */
  readonly commit?: Commit;
  /**
   * Where the consumer starts while its group has no stored checkpoint (a
   * group member: while its partition has none). `"start"` (the default): the
   * first message of its source. `"end"`: after the source's last message as
   * it is when the consumer first loads its checkpoint, which is stored at once,
   * so only what is appended from then on is delivered (EventStoreDB's
   * `fromPosition: END`): for a reactor that must not act on the past. A
   * position (`bigint`): from that global position on (a stream version
   * for a stream source), inclusive, as reads take `from`.
   *
   * A stored checkpoint always wins: `from` does not move a group that has
   * one, whether it ran from the start or from the end; to start a group
   * over, reset its checkpoint (`storage.checkpoints.reset(group)`, or
   * `rebuildProjection`). The end is fixed once `caughtUp` resolves: what is
   * appended after that is delivered; what was appended between the call and
   * then may be either side of it.
   */
  readonly from?: "start" | "end" | bigint;
  /** How a failing handler is retried before its message is parked. Default `DEFAULT_RETRY_POLICY`. */
  readonly retry?: RetryPolicy;
  /**
   * Handler errors no retry can change (a refusal by the message's contract,
   * say): when it answers `true` the message is parked after the attempt that
   * threw, whatever `retry` allows. A predicate that throws is reported to
   * `onError` and the message parked. Default: every error is retried.
   */
  readonly parkAtOnce?: (error: unknown) => boolean;
  /** Stops the consumer gracefully: the handler in progress finishes and its checkpoint is stored. */
  readonly signal?: AbortSignal;
  /**
   * Where the consumer reports, one line per event: a handler failure with
   * its attempt, a parked message, a store or storage failure being retried,
   * a lease taken or lost, and the error that stopped it. `silentLogger`
   * silences it; `createConsoleLogger({ write })` redirects it. Default: the
   * store's logger, else the console.
   */
  readonly logger?: Logger;
  /**
   * Where handler calls report spans and metrics. Default: the store's (see
   * `EventStore.telemetry`); pass `noTelemetry` to report nothing.
   */
  readonly telemetry?: Telemetry;
  /**
   * Whether each handler call's span is the child of the message's producer
   * (it always links to it). Default `false`: a new trace per delivery, as
   * for events; `true` where the work is part of the producer's request (a
   * command, or an event handler the request depends on).
   */
  readonly continueTrace?: boolean;
  /**
   * When the storage keeps a control store (`storage.control`: memory,
   * PostgreSQL, PGlite), how often in ms the consumer announces that it runs
   * (what its group reads, for the `ordo` command line and the console) and
   * takes the replays of parked messages asked for there, which it runs
   * through its handler. It counts as running for three intervals after each
   * announcement. Default 2000; `false` never announces nor takes replays.
   */
  readonly controlInterval?: number | false;
}

/** A running consumer. */
export interface Consumer {
  /** The group it was created with: the name of its checkpoints and parked list. */
  readonly group: string;
  /**
   * Resolves the first time the consumer has handled everything the store
   * held when it last looked; rejects if it stops before: with the error
   * that stopped it, when retrying could not fix one, else (`stop()`, its
   * `signal`) with a `ClosedError`. Use `onCaughtUp`
   * to hear about every later time.
   */
  readonly caughtUp: Promise<void>;
  /**
   * Resolves once the consumer has stopped and stored its checkpoint;
   * rejects with the error that stopped it when retrying cannot fix one
   * (`NotMigratedError`: the schema is not migrated). A store closed under
   * it ends it quietly.
   */
  readonly done: Promise<void>;
  /**
   * Stops gracefully (as aborting `signal` does) and resolves once stopped,
   * whatever ended it. The parked-message calls keep working.
   */
  stop(): Promise<void>;
  /**
   * Stops (as {@link stop}), waits for calls in flight, and refuses every
   * later call with `ClosedError`. Idempotent.
   */
  close(): Promise<void>;
  /**
   * The group's parked messages in global order: at most `limit` (default
   * 100), after the global position `after`; pass the last one's
   * `message.globalPosition` as `after` for the next page.
   */
  listParked(options?: ListParkedOptions): Promise<ParkedMessage[]>;
  /** One parked message, with its error and attempt count. */
  getParked(messageId: string): Promise<ParkedMessage | undefined>;
  /** Runs the handler on one parked message again; on success it leaves the parked list. */
  replayParked(messageId: string): Promise<ReplayResult>;
  /** Replays every parked message of the group once, oldest first. */
  replayAllParked(options?: { readonly signal?: AbortSignal }): Promise<ReplayResult[]>;
  /**
   * Where it is now: position, the store's head, lag in positions and
   * seconds, state, last error, the group's parked count, the partitions it
   * holds. Reads the head and the parked summary; plain data.
   */
  status(): Promise<ConsumerStatus>;
  /**
   * Resolves once the consumer has dealt with every message of its source
   * up to the global position `position` (a group member: every partition it
   * should hold), so a caller that appended at `position` can read its own
   * write from the projection.
   *
   * @throws {TimeoutError} when `options.timeout` passes first
   * @throws the signal's reason when `options.signal` aborts first
   * @throws {ClosedError} when the consumer stops first
   */
  waitFor(position: bigint, options?: WaitForOptions): Promise<void>;
}

/** How replaying one parked message went. */
export interface ReplayResult {
  /** The parked message's id (the message's own). */
  readonly messageId: string;
  /** `replayed`: handled and taken off the list; `failed`: still parked, with the new error; `not-parked`: nothing to do. */
  readonly outcome: "replayed" | "failed" | "not-parked";
  /** The replay's error, when the outcome is `failed`. */
  readonly error?: StoredError;
}
