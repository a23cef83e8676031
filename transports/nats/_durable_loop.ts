// The loop behind every command and event handler of the NATS transport: a
// durable pull consumer with explicit acks, pulled one message at a time (at
// most `maxAckPending` unacknowledged, 1 by default, so a group's messages are
// handled in order even across processes), each acknowledged after its
// handler settled. A long handler tells the server it is still working. A
// lost consumer or connection is retried with backoff: after a server
// restart the loop finds its consumer again (durable, so at its position).
// A connection closed for good is not retried (it never opens again): the
// loop ends, and `ready` rejects with ClosedError if it had not resolved.

import {
  backoffDelay,
  type CheckedRetryPolicy,
  ClosedError,
  type Logger,
  Outage,
  settledOrAborted,
} from "../../core/mod.ts";
import {
  type ConsumerConfig,
  createConsumer,
  type JetStreamApi,
  NATS_CONNECTION,
  notedUnreachable,
  type PulledMessage,
  type Puller,
} from "../../stores/nats/jetstream/mod.ts";

const encoder = new TextEncoder();
const ACK = encoder.encode("+ACK");
const WORKING = encoder.encode("+WPI");
const AGAIN = encoder.encode("-NAK");

/** Options of {@link runDurable}. */
export interface DurableLoopOptions {
  readonly api: JetStreamApi;
  readonly puller: Puller;
  readonly stream: string;
  /** The consumer's configuration; its `durable_name` names it. */
  readonly config: ConsumerConfig & { readonly durable_name: string };
  /** Handles one message; the loop acknowledges it once this settles. */
  readonly handle: (message: PulledMessage) => Promise<void>;
  readonly onError: (error: unknown) => void;
  /** Told when pulling starts failing and when it works again (not at every retry). */
  readonly logger: Logger;
  /** Backoff between failed pulls. */
  readonly retry: CheckedRetryPolicy;
  /** Aborts when the loop should end: stopped, or its connection closed (then `lost` says so). */
  readonly signal: AbortSignal;
  /** Aborted when the connection closed for good. */
  readonly lost: AbortSignal;
  /** What the loop does, for the ClosedError `ready` rejects with (`deliver to group "audit"`). */
  readonly operation: string;
}

/** Milliseconds a pull stays open on the server. */
const EXPIRES = 2000;

/**
 * Starts the loop; `ready` resolves the first time nothing was waiting, or
 * rejects with `ClosedError` when the connection closed for good before.
 */
export function runDurable(
  options: DurableLoopOptions,
): { readonly ready: Promise<void>; readonly done: Promise<void> } {
  let markReady!: () => void;
  let refuse!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (refuse = reject)));
  // Settled either way below; a caller that never looks at it must not see an unhandled rejection.
  ready.catch(() => {});
  const connection = options.api.driver.connection;
  const done = loop(options, () => markReady()).finally(() => {
    if (options.lost.aborted || connection.isClosed?.()) {
      refuse(new ClosedError(NATS_CONNECTION, options.operation));
    } else {
      markReady();
    }
  });
  return { ready, done };
}

async function loop(o: DurableLoopOptions, caughtUp: () => void): Promise<void> {
  const { api, puller, stream, config, signal } = o;
  const name = config.durable_name;
  let created = false;
  let failures = 0;
  const outage = new Outage();
  const batch = config.max_ack_pending ?? 1;
  const worked = () => {
    const ended = outage.worked();
    if (ended !== undefined) {
      o.logger.info("NATS transport pulling again", { consumer: name, ...ended });
    }
    failures = 0;
  };
  const closed = () => o.lost.aborted || api.driver.connection.isClosed?.() === true;
  while (!signal.aborted && !closed()) {
    // When this attempt began: a failure counts its outage from its start or the connection's loss.
    const attempt = Date.now();
    let polling = false;
    try {
      if (!created) {
        // During an outage the loop is mostly here, making its consumer again: a stop must not wait.
        await settledOrAborted(createConsumer(api, stream, config), signal);
        created = true;
      }
      const got: PulledMessage[] = [];
      polling = true;
      const end = await puller.pull(stream, name, {
        batch,
        expires: EXPIRES,
        heartbeat: 500,
        signal,
      }, (m) => {
        got.push(m);
      });
      if (got.length === 0) {
        if (end === "gone" || end === "timeout") {
          created = false; // the consumer or the connection may be gone: make sure of it again
          if (!signal.aborted) throw new Error(`No answer from consumer "${name}" of "${stream}"`);
        } else {
          worked();
          caughtUp();
        }
        continue;
      }
      worked();
      for (const message of got) {
        await handleAndAck(o, message);
      }
      if (got[got.length - 1].pending === 0) caughtUp();
    } catch (error) {
      // A closed connection: the transport's watch says so once, and the loop ends.
      if (signal.aborted || closed()) return;
      if (outage.failed(Date.now() - downSince(api, error, attempt, polling))) {
        o.logger.warn("NATS transport cannot pull; retrying", { consumer: name, error });
      }
      o.onError(error);
      await pause(backoffDelay(o.retry, ++failures), signal);
    }
  }
}

// Since when the server was unreachable for a failed attempt started at
// `attempt`: what the failed request noted (its start, or the connection's
// loss), else the connection's loss during it; a pull waits by design, so its
// start says nothing, but a failure before the pull is a request's.
function downSince(
  api: JetStreamApi,
  error: unknown,
  attempt: number,
  polling: boolean,
): number {
  return notedUnreachable(error) ?? api.outages.unreachableSince(attempt, polling) ?? Date.now();
}

async function handleAndAck(o: DurableLoopOptions, message: PulledMessage): Promise<void> {
  const connection = o.api.driver.connection;
  // A publish on a closed connection throws; a lost ack only means a redelivery.
  const tell = (body: Uint8Array) => {
    try {
      connection.publish(message.reply, body);
    } catch { /* the connection is gone: the server delivers it again */ }
  };
  // Tell the server the handler is still working, well within its ack wait.
  const ackWait = (o.config.ack_wait ?? 30_000_000_000) / 1_000_000;
  const working = setInterval(() => tell(WORKING), ackWait / 3);
  try {
    await o.handle(message);
  } catch (error) {
    // Not handled (stopped during a retry's wait, or parking failed): deliver it again now.
    tell(AGAIN);
    throw error;
  } finally {
    clearInterval(working);
  }
  tell(ACK);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
