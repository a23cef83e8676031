// The loop that runs one command name's handler over the store: read the
// command category from the checkpoint, run the handler *outside* any storage
// transaction (command handlers append events and replies to the store, which
// on a single-connection database would wait forever for an open
// transaction), retry with backoff, park after the last attempt, then commit
// the checkpoint. At least once: a crash between the handler and the commit
// runs the handler again (a command whose reply is already stored is skipped).

import {
  backoffDelay,
  type CheckedRetryPolicy,
  type ConsumerStorage,
  deliveryRetries,
  type EventStore,
  type ParkedMessage,
  type RecordedMessage,
  storedError,
  ValidationError,
} from "../core/mod.ts";

export interface CommandRunnerOptions {
  readonly store: EventStore;
  readonly storage: ConsumerStorage<unknown>;
  readonly group: string;
  readonly category: string;
  readonly type: string;
  readonly batchSize: number;
  readonly retry: CheckedRetryPolicy;
  /** Handles one command (attempt counts from 1); throwing means "retry". */
  readonly handle: (message: RecordedMessage, attempt: number) => Promise<void>;
  readonly onParked: (entry: ParkedMessage) => Promise<void>;
  readonly onError: (error: unknown) => void;
  readonly signal: AbortSignal;
}

/** Starts the loop; `ready` resolves the first time it has read everything there was. */
export function runCommands(
  options: CommandRunnerOptions,
): { readonly ready: Promise<void>; readonly done: Promise<void> } {
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = loop(options, () => markReady()).finally(markReady);
  return { ready, done };
}

async function loop(o: CommandRunnerOptions, caughtUp: () => void): Promise<void> {
  const { store, signal } = o;
  let from: bigint | undefined;
  let failures = 0;
  while (!signal.aborted) {
    try {
      from ??= (await o.storage.checkpoints.load(o.group, 0)) ?? 0n;
      const head = await store.headPosition();
      const page = await store.readCategory(o.category, {
        from,
        limit: o.batchSize,
        types: [o.type],
      });
      for (const message of page) {
        await deliver(o, message);
        const next = message.globalPosition + 1n;
        await o.storage.checkpoints.commit(
          { group: o.group, partition: 0, position: next },
          () => {},
        );
        from = next;
        if (signal.aborted) return;
      }
      failures = 0;
      if (page.length < o.batchSize) {
        caughtUp();
        await store.waitForAppend(head, { signal });
      }
    } catch (error) {
      if (signal.aborted) return;
      o.onError(error);
      await pause(backoffDelay(o.retry, ++failures), signal);
    }
  }
}

async function deliver(o: CommandRunnerOptions, message: RecordedMessage): Promise<void> {
  // Made per delivery: a policy's own rule (an Effect Schedule) may keep state for this message.
  // A broken retry rule must not stall the loop: it is reported and the command parked.
  const nextDelay = deliveryRetries(o.retry, o.onError);
  for (let attempt = 1;; attempt++) {
    try {
      await o.handle(message, attempt);
      return;
    } catch (error) {
      o.onError(error);
      // A command its handler's contract refuses is refused on every attempt: park it at once.
      const delay = error instanceof ValidationError ? undefined : await nextDelay(attempt, error);
      if (delay === undefined) {
        const entry: ParkedMessage = {
          group: o.group,
          partition: 0,
          message,
          error: storedError(error),
          attempts: attempt,
          parkedAt: new Date().toISOString(),
        };
        await o.storage.parked.park(entry);
        await o.onParked(entry);
        return;
      }
      // stop() cuts the backoff short; the message is not committed and comes again next time.
      await pause(delay, o.signal);
      if (o.signal.aborted) throw o.signal.reason;
    }
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
