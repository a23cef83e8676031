// Events of the in-process transport: an in-memory log that every
// subscribed group reads from its own cursor, in publish order, with retries
// and parking. Kept apart from the transport's commands and queries, which
// share none of it.

import {
  type CheckedRetryPolicy,
  checkRetryPolicy,
  type Logger,
  retryThenPark,
  tellHooks,
} from "../core/mod.ts";
import {
  type EventEndpoint,
  type EventEnvelope,
  type HandlerOptions,
  parkedFromReceived,
  type PublishReceipt,
  type ReceivedMessage,
} from "../core/messaging/mod.ts";

const READY = Promise.resolve();

/** Events a group handles in one go before it lets other work in (a catch-up over a long log, say). */
const BATCH = 1024;

/** One subscribed group: its cursor in the log and whether a run is under way. */
export class Group {
  cursor = 0;
  /** An async run (a handler's promise, a retry, a long catch-up) is under way: wake-ups leave the group to it. */
  busy = false;
  stopped = false;
  /** Aborted when the group stops: a retry waiting out its backoff ends at once. */
  readonly #stopping = new AbortController();
  /** Settles when the group has no work under way. */
  idle: Promise<void> = READY;
  readonly policy: CheckedRetryPolicy;
  /** Where this group's handler failures and parked events are logged. */
  readonly logger: Logger;
  constructor(
    readonly name: string,
    readonly matches: (message: ReceivedMessage) => boolean,
    readonly handler: EventEndpoint,
    readonly options: HandlerOptions,
    transportLogger: Logger,
  ) {
    this.policy = checkRetryPolicy(options.retry);
    this.logger = options.logger ?? transportLogger;
  }

  /** An error for `onError`; one it throws is logged, never thrown into the run. */
  reportError(error: unknown): void {
    tellHooks([this.options.onError], [error], {
      logger: this.logger,
      fields: { group: this.name },
    });
  }

  /** Aborts when the group stops. */
  get signal(): AbortSignal {
    return this.#stopping.signal;
  }

  /** Stops the group: no new event is handled, and a retry's backoff ends now. */
  stop(): void {
    this.stopped = true;
    this.#stopping.abort();
  }
}

/** The event log and the groups that read it. */
export class EventGroups {
  readonly #log: ReceivedMessage[] = [];
  readonly #eventIds = new Map<string, ReceivedMessage>();
  readonly #groups = new Map<string, Group>();
  // Replaced, never changed in place, so a wake-up can iterate it while a handler subscribes or stops.
  #groupList: readonly Group[] = [];
  #wakeScheduled = false;

  /** Whether a group of this name is subscribed. */
  has(name: string): boolean {
    return this.#groups.has(name);
  }

  /** Adds a group; it reads the log from the start, beginning in a microtask. */
  add(group: Group): void {
    this.#groups.set(group.name, group);
    this.#groupList = [...this.#groupList, group];
    this.#wake();
  }

  /** Removes a group; resolves once its run in progress ended. */
  remove(group: Group): Promise<void> {
    group.stop();
    if (this.#groups.get(group.name) === group) this.#groups.delete(group.name);
    this.#groupList = this.#groupList.filter((g) => g !== group);
    return group.idle;
  }

  /** Stops every group; resolves once their runs ended. */
  async close(): Promise<void> {
    const groups = [...this.#groups.values()];
    for (const group of groups) group.stop();
    this.#groups.clear();
    this.#groupList = [];
    await Promise.all(groups.map((group) => group.idle));
  }

  /** Appends an event (once per id) and wakes the groups. */
  append(event: EventEnvelope): PublishReceipt {
    const known = this.#eventIds.get(event.id);
    if (known !== undefined) {
      return {
        id: event.id,
        streamName: known.streamName!,
        deduplicated: true,
        globalPosition: known.globalPosition,
      };
    }
    const globalPosition = BigInt(this.#log.length + 1);
    const message: ReceivedMessage = {
      id: event.id,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      streamName: event.streamName,
      globalPosition,
    };
    this.#log.push(message);
    this.#eventIds.set(event.id, message);
    this.#wake();
    return { id: event.id, streamName: event.streamName, deduplicated: false, globalPosition };
  }

  // Events reach groups in wake-ups: however many events are published in
  // one turn, one microtask later each idle group handles all it has not
  // seen. Handlers that return no promise are called one after another in
  // that microtask; the first promise (or failure) hands the rest of the
  // group's log to an async run, so a slow group never holds up the others.

  #wake(): void {
    if (this.#wakeScheduled || this.#groupList.length === 0) return;
    this.#wakeScheduled = true;
    // Not queueMicrotask: Node wraps each one in an AsyncResource, several times the cost of a reaction.
    void READY.then(this.#wakeAll);
  }

  readonly #wakeAll = (): void => {
    this.#wakeScheduled = false;
    for (const group of this.#groupList) if (!group.busy && !group.stopped) this.#drain(group);
  };

  #drain(group: Group): void {
    const log = this.#log;
    for (let budget = BATCH; !group.stopped && group.cursor < log.length; budget--) {
      if (budget === 0) {
        group.idle = this.#run(group, undefined);
        return;
      }
      const message = log[group.cursor];
      if (group.matches(message)) {
        const pending = this.#deliver(group, message);
        if (pending !== undefined) {
          group.idle = this.#run(group, pending);
          return;
        }
      }
      group.cursor++;
    }
  }

  /** The group's async run: finishes the event in `pending` (if any), then the rest of the log, yielding now and then. */
  async #run(group: Group, pending: Promise<unknown> | undefined): Promise<void> {
    group.busy = true;
    const log = this.#log;
    try {
      if (pending !== undefined) {
        await pending;
        group.cursor++;
      }
      for (let handled = 1; !group.stopped && group.cursor < log.length; handled++) {
        const message = log[group.cursor];
        if (group.matches(message)) {
          const more = this.#deliver(group, message);
          if (more !== undefined) await more;
        }
        group.cursor++;
        if (handled % BATCH === 0) await undefined;
      }
    } finally {
      // In the same synchronous step as the last check, so a publish cannot slip between them.
      group.busy = false;
    }
  }

  /** Calls the handler; `undefined` when it is done in this turn, else a promise of its end (retries and parking included). */
  #deliver(group: Group, message: ReceivedMessage): Promise<unknown> | undefined {
    let result: unknown;
    try {
      result = group.handler(message, {
        idempotencyKey: message.id,
        attempt: 1,
        group: group.name,
        tx: undefined,
      });
    } catch (error) {
      return this.#retry(group, message, error);
    }
    if (!isThenable(result)) return undefined;
    return Promise.resolve(result).then(
      undefined,
      (error: unknown) => this.#retry(group, message, error),
    );
  }

  /** After a failed first attempt: retries with backoff (or the policy's own rule), then parks the event. */
  async #retry(group: Group, message: ReceivedMessage, firstError: unknown): Promise<void> {
    // A stop (or close) during a wait ends the run without another attempt: nothing to do here.
    await retryThenPark({
      group: group.name,
      message,
      retry: group.policy,
      logger: group.logger,
      signal: group.signal,
      firstFailure: { error: firstError },
      attempt: async (attempt) => {
        await group.handler(message, {
          idempotencyKey: message.id,
          attempt,
          group: group.name,
          tx: undefined,
        });
      },
      onError: (error) => group.reportError(error),
      park: (error, attempts) =>
        tellHooks([group.options.onParked], [
          parkedFromReceived(group.name, message, error, attempts),
        ], { logger: group.logger, fields: { group: group.name }, hook: "onParked" }),
    });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}
