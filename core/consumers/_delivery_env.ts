// What delivering needs, fixed for a consumer's life, built once from the
// checked options of any consumer kind: the handler and storage, the retry
// rules, where it reports (its logger and hooks) and how it gives up.

import type { EventStore } from "../event_store.ts";
import { ClosedError, isRetryable, ordoTagOf } from "../errors.ts";
import { checkLogger, consoleLogger, type LogFields, type Logger } from "../logger.ts";
import type { JsonMessage, MessageShape } from "../message.ts";
import { checkOptionalFunction } from "../options.ts";
import { Outage, unreachableMsAgo } from "../outage.ts";
import { inheritedTelemetry, type Telemetry } from "../telemetry/mod.ts";
import { tellHooks } from "../tell_hooks.ts";
import { type CheckedRetryPolicy, checkRetryPolicy } from "./backoff.ts";
import type { CreateConsumerOptions } from "./consumer_types.ts";
import { type DeliverySite, logHandlerFailure } from "./delivery_log.ts";
import { type DeliveryTelemetry, deliveryTelemetry } from "./delivery_telemetry.ts";
import type {
  CommitMode,
  ConsumerErrorContext,
  ConsumerHooks,
  MessageHandler,
  PageHandler,
  TransactionalCommit,
} from "./handler.ts";
import { Limiter } from "./_limiter.ts";
import { ConsumerMonitor } from "./_monitor.ts";
import { checkCommitMode, checkHandlers, checkStorage } from "./_options.ts";
import type { ConsumerStorage } from "./storage.ts";
import { StopWait } from "./_stop_wait.ts";

/** What delivering needs, fixed for a consumer's life. */
export interface DeliveryEnv<Tx> {
  readonly group: string;
  readonly storage: ConsumerStorage<Tx>;
  /**
   * The handler, per message or per page: exactly one is set. Each gets
   * `undefined` as `tx` under `commit: "after-handler"`.
   */
  readonly handler?: MessageHandler<Tx>;
  readonly pageHandler?: PageHandler<Tx>;
  readonly retry: CheckedRetryPolicy;
  readonly commit: CommitMode;
  /** See `CreateConsumerOptions.parkAtOnce`. */
  readonly parkAtOnce?: (error: unknown) => boolean;
  readonly limiter: Limiter;
  readonly hooks: ConsumerHooks;
  /** Progress, failures and waiters, for the status API. */
  readonly monitor: ConsumerMonitor;
  /** The telemetry it reports to, when it has one that records. */
  readonly telemetry?: Telemetry;
  /** Spans and measurements of deliveries, when it has telemetry. */
  readonly traces?: DeliveryTelemetry;
  /** Where every failure, parked message and lease change is written, one line each. */
  readonly logger: Logger;
  /** Fields every line of this consumer carries (its group; a group member's name). */
  readonly site: DeliverySite;
  /** Ends the consumer for an error retrying cannot fix (its `done` rejects with it). */
  readonly fail: (error: unknown) => void;
  /** Outages of its reads from the store and of its storage, so that their end is said once. */
  readonly outages: { readonly store: Outage; readonly storage: Outage };
  /** The one short wait its storage's goodbye calls get as it stops. */
  readonly stopWait: StopWait;
}

/**
 * The delivery environment of a consumer, from its options; `slots` bounds
 * handler calls at once; `fail` ends the consumer. Its telemetry is its
 * own, else the store's.
 */
export function deliveryEnv<
  Tx,
  Commit extends CommitMode = TransactionalCommit,
  E extends MessageShape = JsonMessage,
>(
  store: EventStore<E>,
  options: CreateConsumerOptions<Tx, Commit, E>,
  group: string,
  settings: {
    readonly slots: number;
    readonly fail: (error: unknown) => void;
    readonly site?: DeliverySite;
  },
): DeliveryEnv<Tx> {
  checkStorage(options.storage);
  checkOptionalFunction(options.parkAtOnce, "options.parkAtOnce");
  const paged = checkHandlers(options.handler, options.pageHandler) === "page";
  for (const hook of ["onParked", "onError", "onPage", "onCaughtUp"] as const) {
    checkOptionalFunction(options[hook], `options.${hook}`);
  }
  const telemetry = inheritedTelemetry(options.telemetry, store);
  const traces = telemetry === undefined
    ? undefined
    : deliveryTelemetry(telemetry, group, options.continueTrace === true);
  // The message types are the store's word; the engine hands on what it reads.
  const handler = options.handler as unknown as MessageHandler<Tx> | undefined;
  return {
    group,
    storage: options.storage,
    // A page handler runs inside the consumer's own spans only: one span per
    // message would cost what page handlers exist to save.
    handler: traces === undefined || handler === undefined ? handler : traces.wrap(handler),
    pageHandler: options.pageHandler as unknown as PageHandler<Tx> | undefined,
    retry: checkRetryPolicy(options.retry),
    // A page handler commits per page unless told otherwise.
    commit: checkCommitMode(options.commit, "options.commit", paged ? "page" : "message"),
    parkAtOnce: options.parkAtOnce,
    limiter: new Limiter(settings.slots),
    hooks: {
      onParked: options.onParked,
      onError: options.onError,
      onPage: options.onPage,
      onCaughtUp: options.onCaughtUp,
    },
    logger: checkLogger(options.logger, "options.logger", store.logger ?? consoleLogger),
    site: settings.site ?? { group },
    fail: settings.fail,
    monitor: new ConsumerMonitor(),
    outages: { store: new Outage(), storage: new Outage() },
    stopWait: new StopWait(),
    telemetry,
    traces,
  };
}

/**
 * Whether retrying cannot fix `error`: an ordo error whose tag is not
 * retryable (`NotMigratedError`, `ClosedError`, `ValidationError`, …). A
 * store's or storage's error that is not ordo's (an adapter that did not
 * translate its driver's) is retried, as before: it may be a passing fault.
 */
export function isFatal(error: unknown): boolean {
  return ordoTagOf(error) !== undefined && !isRetryable(error);
}

/**
 * A failure of the store, the storage or a hook: `true` to retry it (it is
 * reported first), `false` when retrying cannot fix it (the consumer is
 * made to fail, and the caller should stop).
 */
export function retryable<Tx>(
  env: DeliveryEnv<Tx>,
  error: unknown,
  context: ConsumerErrorContext,
): boolean {
  if (isFatal(error)) {
    // The status API says why it stopped (a closed store or storage is no failure).
    if (!(error instanceof ClosedError)) env.monitor.failed(error, context);
    env.fail(error);
    return false;
  }
  if (context.phase === "store" || context.phase === "storage") {
    // An outage fails every retry (each partition's, each heartbeat's): one line when it
    // starts, reminders at growing intervals while it lasts, one when it ends (`worked`).
    const outage = env.outages[context.phase];
    const began = outage.failed(unreachableMsAgo(error));
    const still = began ? undefined : outage.remind();
    if (began || still !== undefined) {
      report(env, error, context, still === undefined ? undefined : STILL[context.phase], {
        ...still,
      });
    } else {
      tell(env, error, context);
    }
    return true;
  }
  report(env, error, context);
  return true;
}

const STILL = {
  store: "Store still failing; retrying",
  storage: "Consumer storage still failing; retrying",
} as const;

/**
 * The consumer's reads from the store (`"store"`) or its storage work
 * (`"storage"`) succeeded: after failures it retried, one line says they work
 * again and how long they did not (`downMs`). Without it an operator saw
 * "Consumer storage failed; retrying" and never that it recovered.
 */
export function worked<Tx>(env: DeliveryEnv<Tx>, phase: "store" | "storage"): void {
  const ended = env.outages[phase].worked();
  if (ended !== undefined) env.logger.info(AGAIN[phase], { ...env.site, ...ended });
}

const AGAIN = { store: "Store works again", storage: "Consumer storage works again" } as const;

export const LINES = {
  rule: "Retry rule failed; parking the message",
  store: "Store failed; retrying",
  storage: "Consumer storage failed; retrying",
  onParked: "onParked hook failed; retrying",
} as const;

/**
 * Logs `error` (one line) and tells the consumer's `onError` hook, whose throw
 * is logged, never thrown into the loop. `line` replaces the phase's: the
 * retry rule's failure (`LINES.rule`), storage work done once as the consumer
 * stops, which nothing retries, or a replay's failure; `fields` are added to
 * that line.
 */
export function report<Tx>(
  env: DeliveryEnv<Tx>,
  error: unknown,
  context: ConsumerErrorContext,
  line?: string,
  fields?: LogFields,
): void {
  const { phase, partition, message, attempt } = context;
  if (phase === "handler" && message !== undefined && line === undefined) {
    logHandlerFailure(env.logger, { ...env.site, partition }, message, attempt ?? 1, error);
  } else {
    // A broken retry rule is the user's code failing, and parking early until it is fixed: an
    // error, as a failed handler is. What is retried (store, storage, onParked) may pass: a warning.
    const level = phase === "handler" ? "error" : "warn";
    env.logger[level](line ?? (phase === "handler" ? LINES.rule : LINES[phase]), {
      ...env.site,
      // -1 is the consumer's own storage work (its control link, its leases), no partition's.
      ...(partition >= 0 ? { partition } : {}),
      messageId: message?.id,
      ...fields,
      error,
    });
  }
  tell(env, error, context);
}

/** What every failure does, logged or not: the status API and the `onError` hook hear of it. */
function tell<Tx>(env: DeliveryEnv<Tx>, error: unknown, context: ConsumerErrorContext): void {
  env.monitor.failed(error, context);
  tellHooks([env.hooks.onError], [error, context], { logger: env.logger, fields: { ...env.site } });
}

/**
 * Storage work done once as the consumer stops (withdrawing its presence,
 * releasing a lease, leaving its group) failed: nothing retries it, and what
 * it would have removed expires on its own, which `line` says. A storage
 * closed already needs no line: stopping after it closed is what happened.
 */
export function reportAtStop<Tx>(
  env: DeliveryEnv<Tx>,
  error: unknown,
  partition: number,
  line: string,
): void {
  if (!isFatal(error)) report(env, error, { phase: "storage", partition }, line);
}

/**
 * How a consumer gives up: the first error that retrying cannot fix is kept
 * and logged (one line, with the error saying what to do, such as "call
 * migrate() first"), and `stop` ends the consumer. A `ClosedError` (its store
 * or storage was closed first) ends it quietly: `done` resolves.
 */
export class Failure {
  #error: unknown;
  #failed = false;

  /** `stop` ends the consumer's loops; `logger` and `site` write the line. */
  constructor(
    private readonly stop: () => void,
    private readonly logger: () => Logger,
    private readonly site: DeliverySite,
  ) {}

  /** Records `error` (the first one only), logs it and stops the consumer. */
  readonly fail = (error: unknown): void => {
    if (this.#failed) return;
    this.#failed = true;
    this.#error = error;
    if (error instanceof ClosedError) {
      this.logger().info("Consumer stopped: what it reads or writes is closed", {
        ...this.site,
        error,
      });
    } else {
      this.logger().error("Consumer stopped: retrying cannot fix this error", {
        ...this.site,
        error,
      });
    }
    this.stop();
  };

  /**
   * For a loop's rejection (a hook of the caller's that threw, such as
   * `onPage`): recorded and logged as {@link fail} does, so that `caughtUp`
   * rejects with it and not a bare "stopped", then rethrown for `done`.
   */
  readonly thrown = (error: unknown): never => {
    this.fail(error);
    throw error;
  };

  /** The error that ended the consumer, a `ClosedError` too; `undefined` when it was stopped. */
  get cause(): { readonly error: unknown } | undefined {
    return this.#failed ? { error: this.#error } : undefined;
  }

  /** The error the consumer's `done` rejects with, if any (never a `ClosedError`). */
  get error(): { readonly error: unknown } | undefined {
    return this.#failed && !(this.#error instanceof ClosedError)
      ? { error: this.#error }
      : undefined;
  }

  /** Why `caughtUp` rejects when the consumer ended before catching up. */
  reason(fallback: () => Error): unknown {
    return this.#failed ? this.#error : fallback();
  }
}
