/**
 * JetStream pull consumers over a NATS connection: create one, ask it for a
 * batch of messages (`$JS.API.CONSUMER.MSG.NEXT`), receive them on one inbox
 * subscription shared by every pull of a `Puller`, and read each message's
 * stream sequence and pending count from its reply subject. With `noWait` a
 * pull ends as soon as the consumer has nothing more (status 404 or 408), so a
 * read of "everything up to now" never waits for a timeout.
 *
 * @module
 */

import type { Msg, MsgHdrs, Subscription } from "@nats-io/nats-core";
import { bytesOf, JetStreamApi } from "./jetstream_api.ts";

const NAK = new TextEncoder().encode("-NAK");

/** A consumer's configuration, as the JetStream API takes it (the fields ordo sets). */
export interface ConsumerConfig {
  readonly name?: string;
  readonly durable_name?: string;
  readonly deliver_policy: "all" | "new" | "by_start_sequence" | "last_per_subject";
  readonly opt_start_seq?: number;
  readonly ack_policy: "none" | "explicit";
  readonly filter_subject?: string;
  /** Nanoseconds. */
  readonly ack_wait?: number;
  readonly max_deliver?: number;
  readonly max_ack_pending?: number;
  readonly mem_storage?: boolean;
  readonly num_replicas?: number;
  /** Nanoseconds without a pull after which the server deletes the consumer. */
  readonly inactive_threshold?: number;
  readonly headers_only?: boolean;
  readonly max_waiting?: number;
}

/** What creating a consumer answered. */
export interface ConsumerCreated {
  readonly name: string;
  /** Messages matching the filter from the start position, when created. */
  readonly numPending: number;
}

/**
 * Creates (or, for a durable name that exists with the same configuration,
 * returns) a consumer.
 *
 * @example
 * ```ts ignore
 * import { createConsumer } from "./consumer_pull.ts";
 * const created = await createConsumer(api, "ORDO", { name: "r1", deliver_policy: "all", ack_policy: "none" });
 * ```
 */
export async function createConsumer(
  api: JetStreamApi,
  stream: string,
  config: ConsumerConfig,
): Promise<ConsumerCreated> {
  const name = config.durable_name ?? config.name;
  const subject = config.durable_name !== undefined
    ? `CONSUMER.DURABLE.CREATE.${stream}.${name}`
    : `CONSUMER.CREATE.${stream}${name === undefined ? "" : `.${name}`}`;
  const answer = await api.request(subject, { stream_name: stream, config });
  return { name: answer.name as string, numPending: (answer.num_pending as number) ?? 0 };
}

/** Deletes a consumer; errors are ignored (it may have expired already). */
export async function deleteConsumer(
  api: JetStreamApi,
  stream: string,
  name: string,
): Promise<void> {
  await api.request(`CONSUMER.DELETE.${stream}.${name}`).catch(() => {});
}

/** A message a pull delivered. */
export interface PulledMessage {
  readonly subject: string;
  /** Its stream sequence. */
  readonly seq: number;
  /** How many times it was delivered, this time included. */
  readonly delivered: number;
  /** Messages still waiting for this consumer after this one. */
  readonly pending: number;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs | undefined;
  /** The subject acknowledgements go to. */
  readonly reply: string;
}

/** Why a pull ended. */
export type PullEnd = "complete" | "empty" | "expired" | "gone" | "timeout";

/** Options of one pull. */
export interface PullOptions {
  readonly batch: number;
  /** Ends the pull at once ("gone") when aborted. */
  readonly signal?: AbortSignal;
  /** End at once when nothing more is waiting. */
  readonly noWait?: boolean;
  /** Milliseconds the server keeps the pull open (ignored with `noWait`). */
  readonly expires?: number;
  /**
   * Milliseconds between the server's heartbeats while the pull is open: the
   * pull ends ("gone") after three missed, so a consumer removed with the
   * server that held it (a restart, a leader change) is noticed that soon.
   */
  readonly heartbeat?: number;
}

interface Waiting {
  readonly consumer: string;
  /** Called on every message or heartbeat of the pull. */
  alive?: () => void;
  readonly onMessage: (message: PulledMessage) => boolean | void;
  readonly end: (why: PullEnd) => void;
  remaining: number;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Pulls from consumers through one inbox subscription, made on first use.
 * Delivered messages keep their own subject, so they are told apart by the
 * consumer their ack subject names: one pull at a time per consumer (a new
 * pull ends the one before as "gone"). A message that arrives for a pull
 * already ended is given back to the server (`-NAK`), so it is delivered
 * again at once (for consumers with acks; others ignore it).
 *
 * @example
 * ```ts ignore
 * import { Puller } from "./consumer_pull.ts";
 * const puller = new Puller(api);
 * await puller.pull("ORDO", "r1", { batch: 100, noWait: true }, (m) => console.log(m.seq));
 * puller.close();
 * ```
 */
export class Puller {
  readonly #api: JetStreamApi;
  readonly #inbox = `_INBOX.ordo${crypto.randomUUID().replaceAll("-", "")}`;
  #subscription: Subscription | undefined;
  // By reply subject (status messages come to it) and by consumer name
  // (messages come with their own subject; their ack subject names the consumer).
  readonly #waiting = new Map<string, Waiting>();
  readonly #byConsumer = new Map<string, Waiting>();
  // Who takes a consumer's messages that come while no pull of it waits.
  readonly #adopters = new Map<string, (message: PulledMessage) => void>();
  #next = 0;

  constructor(api: JetStreamApi) {
    this.#api = api;
  }

  /**
   * Asks `consumer` for up to `batch` messages; `onMessage` gets each one as it
   * arrives, and ends the pull ("complete") by returning `false`. Resolves with
   * why the pull ended.
   */
  pull(
    stream: string,
    consumer: string,
    options: PullOptions,
    onMessage: (message: PulledMessage) => boolean | void,
  ): Promise<PullEnd> {
    const reply = `${this.#inbox}.${this.#next++}`;
    this.#subscribe();
    return new Promise<PullEnd>((resolve) => {
      const waiting: Waiting = {
        consumer,
        onMessage,
        remaining: options.batch,
        end: (why) => {
          if (!this.#waiting.delete(reply)) return;
          options.signal?.removeEventListener("abort", onAbort);
          if (this.#byConsumer.get(consumer) === waiting) this.#byConsumer.delete(consumer);
          if (waiting.timer !== undefined) clearTimeout(waiting.timer);
          resolve(why);
        },
      };
      if (options.signal?.aborted) return resolve("gone");
      const onAbort = () => waiting.end("gone");
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.set(reply, waiting);
      this.#byConsumer.get(consumer)?.end("gone");
      this.#byConsumer.set(consumer, waiting);
      const expires = options.noWait ? undefined : options.expires ?? 5000;
      const heartbeat = options.noWait ? undefined : options.heartbeat;
      // Nothing at all (a lost request, a server gone): give up a little after the
      // server would, or after three missed heartbeats.
      const limit = heartbeat === undefined ? (expires ?? this.#api.timeout) + 2000 : 3 * heartbeat;
      const watch = () => {
        if (waiting.timer !== undefined) clearTimeout(waiting.timer);
        waiting.timer = setTimeout(() => waiting.end(heartbeat ? "gone" : "timeout"), limit);
      };
      if (heartbeat !== undefined) waiting.alive = watch;
      watch();
      const body = options.noWait ? { batch: options.batch, no_wait: true } : {
        batch: options.batch,
        expires: expires! * 1_000_000,
        ...(heartbeat === undefined ? {} : { idle_heartbeat: heartbeat * 1_000_000 }),
      };
      try {
        this.#api.driver.connection.publish(
          `${this.#api.prefix}.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
          bytesOf(JSON.stringify(body)),
          { reply },
        );
      } catch {
        waiting.end("timeout");
      }
    });
  }

  #subscribe(): void {
    if (this.#subscription !== undefined) return;
    this.#subscription = this.#api.driver.connection.subscribe(`${this.#inbox}.*`, {
      callback: (error, msg) => {
        if (error === null) this.#receive(msg);
      },
    });
  }

  #receive(msg: Msg): void {
    const status = msg.headers?.code ?? 0;
    if (status !== 0 && msg.data.length === 0 && !msg.reply) {
      const waiting = this.#waiting.get(msg.subject);
      if (waiting === undefined) return;
      if (status === 100) return waiting.alive?.(); // an idle heartbeat
      waiting.end(status === 404 ? "empty" : status === 408 ? "expired" : "gone");
      return;
    }
    const meta = parseAckSubject(msg.reply ?? "");
    if (meta === undefined) return;
    const waiting = this.#byConsumer.get(meta.consumer);
    const adopter = waiting === undefined ? this.#adopters.get(meta.consumer) : undefined;
    if (adopter !== undefined) {
      adopter(pulled(msg, meta));
      return;
    }
    if (waiting === undefined) {
      // For a pull that ended here but was still open on the server (stopped,
      // timed out): hand it back at once rather than after the ack wait.
      try {
        this.#api.driver.connection.publish(msg.reply!, NAK);
      } catch { /* the connection is closing: the server delivers it again after its ack wait */ }
      return;
    }
    waiting.alive?.();
    const more = waiting.onMessage(pulled(msg, meta));
    if (--waiting.remaining === 0 || more === false) waiting.end("complete");
  }

  /**
   * Hands `consumer`'s messages that arrive while no pull of it waits to
   * `adopter` (a pull ended here can still be answered by the server), until
   * `forget`. Without an adopter they are given back to the server.
   */
  adopt(consumer: string, adopter: (message: PulledMessage) => void): void {
    this.#adopters.set(consumer, adopter);
  }

  /** Stops handing `consumer`'s stray messages to its adopter. */
  forget(consumer: string): void {
    this.#adopters.delete(consumer);
  }

  /** Ends every pull in progress ("gone") and drops the subscription. */
  close(): void {
    for (const waiting of [...this.#waiting.values()]) waiting.end("gone");
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }
}

function pulled(
  msg: Msg,
  meta: { delivered: number; seq: number; pending: number },
): PulledMessage {
  return {
    subject: msg.subject,
    seq: meta.seq,
    delivered: meta.delivered,
    pending: meta.pending,
    data: msg.data,
    headers: msg.headers,
    reply: msg.reply!,
  };
}

/**
 * Reads consumer name, stream sequence, delivery count and pending count from a JetStream
 * ack subject (`$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`,
 * or the longer form with domain and account hash).
 *
 * @example
 * ```ts
 * import { parseAckSubject } from "./consumer_pull.ts";
 * parseAckSubject("$JS.ACK.ORDO.r1.1.42.7.1796582478942169369.3");
 * // { consumer: "r1", delivered: 1, seq: 42, pending: 3 }
 * ```
 */
export function parseAckSubject(
  subject: string,
): { consumer: string; delivered: number; seq: number; pending: number } | undefined {
  const tokens = subject.split(".");
  if (tokens[0] !== "$JS" || tokens[1] !== "ACK") return undefined;
  const base = tokens.length === 9 ? 4 : tokens.length >= 11 ? 6 : -1;
  if (base === -1) return undefined;
  return {
    consumer: tokens[base - 1],
    delivered: Number(tokens[base]),
    seq: Number(tokens[base + 1]),
    pending: Number(tokens[base + 4]),
  };
}
