// The client side of an event subscription over HTTP: follow the server's
// event stream, hand each event to the handler in order, move the group's
// checkpoint after the handler (in one commit with it), and after a dropped
// connection reconnect with `Last-Event-ID` = the last handled position. The
// checkpoint lives in the client's storage (in memory unless given), never on
// the server: delivery is at least once, in the order the server sends.

import {
  abortableSleep as sleep,
  backoffDelay,
  type CheckedRetryPolicy,
  type CheckpointStore,
  checkRetryPolicy,
  ClosedError,
  type Logger,
  type OrdoErrorTag,
  ordoTagOf,
  Outage,
  type ParkedMessageStore,
  PeerUnreachableError,
  retryThenPark,
  tellHooks,
} from "../../../core/mod.ts";
import {
  type EventEndpoint,
  type EventSelector,
  type HandlerOptions,
  parkedFromReceived,
  type ReceivedMessage,
  type Registration,
} from "../../../core/messaging/mod.ts";
import { decodeEvent } from "../wire/mod.ts";
import { readSse } from "./_sse_reader.ts";

/** What a subscription needs from its transport. */
export interface SubscriptionDependencies {
  /** Opens the event stream after `after` (a position the client has handled); rejects with a mapped error. */
  open(
    group: string,
    selector: EventSelector,
    after: bigint | undefined,
    signal: AbortSignal,
  ): Promise<Response>;
  readonly checkpoints: CheckpointStore<unknown>;
  readonly parked: ParkedMessageStore<unknown> | undefined;
  /** Delays between reconnections (attempts are unlimited). */
  readonly reconnect: CheckedRetryPolicy;
  /** Where subscriptions log unless their options name a logger. */
  readonly logger: Logger;
  /**
   * How long after its first failure a stream that still fails is logged
   * again, for the n-th reminder (0, 1, …). Default: the shared `Outage`'s (1 min, 10 min, then hourly);
   * tests give a shorter one.
   */
  readonly stillFailingAt?: (reminder: number) => number;
}

type Outcome = "handled" | "parked" | "stopped";

// The answers that end a subscription instead of a reconnection: the server
// was reached and said no (a wrong credential, a category the credential may
// not follow, a URL where no ordo server answers the stream's route), and
// would say it again however often asked. Anything else (a refused
// connection, a 5xx, a dropped stream) may pass, so it is retried.
const REFUSALS: ReadonlySet<OrdoErrorTag> = new Set<OrdoErrorTag>([
  "UnauthenticatedError",
  "ForbiddenError",
  "NotFoundError",
]);

function isRefusal(error: unknown): boolean {
  const tag = ordoTagOf(error);
  return tag !== undefined && REFUSALS.has(tag);
}

// Storing a parked entry failed: logged and reported where it happened, so the
// loop only reconnects (the checkpoint stayed before the event, which comes
// again) and does not call it a failed stream.
class ParkFailed extends Error {
  constructor(cause: unknown) {
    super("Parking failed", { cause });
  }
}

/** One running subscription; see the file summary. */
export class EventStreamSubscription implements Registration {
  readonly ready: Promise<void>;
  #caughtUp!: () => void;
  #refused!: (error: unknown) => void;
  readonly #stopping = new AbortController();
  readonly #done: Promise<void>;
  readonly #policy: CheckedRetryPolicy;
  readonly #logger: Logger;
  /**
   * The stream's failures without a success in between: logged when they
   * start, again after 1 min, 10 min and every hour while they last, and
   * when they end, each with `downMs` as every component's outage lines.
   */
  readonly #outage: Outage;
  // The checkpoint storage's own spell of failures, apart from the stream's:
  // the stream can be fine while the storage is down, and the other way round.
  readonly #storageOutage: Outage;
  #settled = false;

  constructor(
    private readonly dependencies: SubscriptionDependencies,
    private readonly group: string,
    private readonly selector: EventSelector,
    private readonly handler: EventEndpoint,
    private readonly options: HandlerOptions,
  ) {
    this.#policy = checkRetryPolicy(options.retry);
    this.#logger = options.logger ?? dependencies.logger;
    this.#outage = new Outage(undefined, dependencies.stillFailingAt);
    this.#storageOutage = new Outage(undefined, dependencies.stillFailingAt);
    this.ready = new Promise((resolve, reject) => {
      this.#caughtUp = () => {
        this.#settled = true;
        resolve();
      };
      this.#refused = (error) => {
        this.#settled = true;
        reject(error);
      };
    });
    // A caller that never looks at `ready` must not have its process ended by
    // an unhandled rejection: the refusal is logged as an error either way.
    this.ready.catch(() => {});
    this.#done = this.#run();
  }

  /**
   * Stops the stream. A `ready` still waiting for the first connection
   * rejects with `ClosedError`: it never connected, and never will.
   */
  async stop(closed: "subscription" | "transport" = "subscription"): Promise<void> {
    this.#stopping.abort();
    await this.#done;
    if (!this.#settled) {
      this.#refused(
        new ClosedError(closed, `connect the event stream of group "${this.group}"`),
      );
    }
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const next = await this.dependencies.checkpoints.load(this.group, 0);
        const response = await this.dependencies.open(
          this.group,
          this.selector,
          next === undefined || next === 0n ? undefined : next - 1n,
          signal,
        );
        for await (const frame of readSse(response.body!, signal)) {
          if (frame.event === "ready") {
            failures = 0;
            const ended = this.#outage.worked();
            if (ended !== undefined) {
              this.#logger.info("Event stream reconnected", { group: this.group, ...ended });
            }
            this.#caughtUp();
          } else if (frame.event === "message") {
            failures = 0;
            const event = decodeEvent(frame.data, response.url || undefined);
            if ((await this.#deliver(event)) === "stopped") return;
          }
        }
        throw new PeerUnreachableError(
          `event stream of group "${this.group}"`,
          response.url || "the event stream's server",
          "the server ended the stream",
        );
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ParkFailed) {
          if (!(await sleep(backoffDelay(this.dependencies.reconnect, ++failures), signal))) return;
          continue;
        }
        if (isRefusal(error)) {
          this.#logger.error("Event stream refused; subscription stopped", {
            group: this.group,
            error,
          });
          this.#report(error);
          this.#refused(error);
          return;
        }
        const delay = backoffDelay(this.dependencies.reconnect, ++failures);
        this.#logFailure(error);
        this.#report(error);
        if (!(await sleep(delay, signal))) return;
      }
    }
  }

  // Attempts, backoff (or the policy's `delays` rule), a `ValidationError`
  // parked at once and the park are core's retryThenPark, as on every other
  // transport. What is the subscription's own: the handler runs inside the
  // checkpoint's commit, and a commit that failed while the handler did not is
  // the storage's fault, retried here without counting against the event.
  async #deliver(event: ReceivedMessage): Promise<Outcome> {
    const signal = this.#stopping.signal;
    const update = {
      group: this.group,
      partition: 0,
      position: event.globalPosition === undefined ? undefined : event.globalPosition + 1n,
    };
    const delivery = await retryThenPark({
      group: this.group,
      message: event,
      retry: this.#policy,
      logger: this.#logger,
      signal,
      attempt: (attempt) => this.#attempt(event, update, attempt),
      onError: (error) => this.#report(error),
      park: (error, attempts) => this.#park(event, update, error, attempts),
    });
    return delivery.outcome === "handled" ? delivery.value : delivery.outcome;
  }

  /** One handler attempt in the checkpoint's commit: rejects with the handler's error only; `"stopped"` if stopped while the storage failed. */
  async #attempt(
    event: ReceivedMessage,
    update: { group: string; partition: number; position?: bigint },
    attempt: number,
  ): Promise<"handled" | "stopped"> {
    const context = { idempotencyKey: event.id, attempt, group: this.group };
    for (let storageFailures = 1;; storageFailures++) {
      let handlerFailure: { error: unknown } | undefined;
      try {
        await this.dependencies.checkpoints.commit(update, async (tx) => {
          try {
            await this.handler(event, { ...context, tx });
          } catch (error) {
            handlerFailure = { error };
            throw error;
          }
        });
        this.#storageWorked();
        return "handled";
      } catch (error) {
        if (handlerFailure !== undefined) {
          // The commit ran the handler, so the storage answered.
          this.#storageWorked();
          throw handlerFailure.error;
        }
        this.#logStorageFailure(error);
        this.#report(error);
        const delay = backoffDelay(this.#policy, storageFailures);
        if (!(await sleep(delay, this.#stopping.signal))) return "stopped";
      }
    }
  }

  // The stream's failures and the storage's, each its own outage: logged when
  // it starts and, while it lasts, at growing intervals (one line and then
  // silence for hours would read as work that recovered; a line per retry
  // would flood the log).
  #logFailure(error: unknown): void {
    this.#logOutage(this.#outage, "Event stream", "reconnecting", error);
  }

  #logStorageFailure(error: unknown): void {
    this.#logOutage(this.#storageOutage, "Subscription storage", "retrying", error);
  }

  #logOutage(outage: Outage, what: string, next: string, error: unknown): void {
    if (outage.failed()) {
      this.#logger.warn(`${what} failed; ${next}`, { group: this.group, error });
      return;
    }
    const still = outage.remind();
    if (still === undefined) return;
    this.#logger.warn(`${what} still failing; ${next}`, { group: this.group, ...still, error });
  }

  #storageWorked(): void {
    const ended = this.#storageOutage.worked();
    if (ended === undefined) return;
    this.#logger.info("Subscription storage works again", { group: this.group, ...ended });
  }

  // A throwing onError must not end the subscription: its loop is all that delivers.
  #report(error: unknown): void {
    tellHooks([this.options.onError], [error], {
      logger: this.#logger,
      fields: { group: this.group },
    });
  }

  async #park(
    event: ReceivedMessage,
    update: { group: string; partition: number; position?: bigint },
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const entry = parkedFromReceived(this.group, event, error, attempts);
    const parked = this.dependencies.parked;
    try {
      await this.dependencies.checkpoints.commit(update, async (tx) => {
        await parked?.park(entry, { tx });
      });
    } catch (error) {
      this.#logger.error("Parking failed; the event is delivered again", {
        group: this.group,
        messageId: event.id,
        error,
      });
      this.#report(error);
      throw new ParkFailed(error);
    }
    try {
      this.options.onParked?.(entry);
    } catch (error) {
      this.#report(error);
    }
  }
}
