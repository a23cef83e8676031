/**
 * The few JetStream calls ordo makes, spoken directly over a NATS connection:
 * JetStream's API is JSON requests on `$JS.API.*` subjects, and a publish to a
 * stream's subject is answered with an acknowledgement. Doing this here rather
 * than through `@nats-io/jetstream` keeps the adapters free of runtime
 * imports, and gives calls the 3.4 client lacks on a 2.9 server (message gets
 * by `next_by_subj`, pulls with `no_wait`). Shared by the NATS store, its
 * consumer storage and the NATS transport.
 *
 * @module
 */

import type { Msg, MsgHdrs } from "@nats-io/nats-core";
import type { NatsDriver } from "./driver.ts";
import {
  type ConnectionOutages,
  connectionOutages,
  noteUnreachable,
} from "./connection_outages.ts";
import { Replies } from "./replies.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * A JetStream API error answer: `status` is HTTP-like (400, 404, 503), `errCode`
 * JetStream's own (10071 wrong last sequence, 10037 no message found, …).
 *
 * @example
 * ```ts
 * import { JetStreamApiFailure } from "./jetstream_api.ts";
 * const failure = new JetStreamApiFailure(400, 10071, "wrong last sequence: 3");
 * console.log(failure.message); // JetStream refused: wrong last sequence: 3 (10071)
 * ```
 */
export class JetStreamApiFailure extends Error {
  constructor(readonly status: number, readonly errCode: number, readonly description: string) {
    super(`JetStream refused: ${description} (${errCode})`);
    this.name = "JetStreamApiFailure";
  }
}

/**
 * A stream exists under the name asked for, with other subjects than asked
 * for: `ensureStream` leaves it as it is.
 *
 * @example
 * ```ts
 * import { SubjectsInUse } from "./jetstream_api.ts";
 * new SubjectsInUse("ORDO", ["shop.>"], ["ordo.>"]).held; // ["shop.>"]
 * ```
 */
export class SubjectsInUse extends Error {
  constructor(
    /** The stream's name. */
    readonly stream: string,
    /** Its subjects now. */
    readonly held: readonly string[],
    /** The subjects asked for. */
    readonly wanted: readonly string[],
  ) {
    super(`Stream "${stream}" holds the subjects ${held.join(", ")}, not ${wanted.join(", ")}`);
    this.name = "SubjectsInUse";
  }
}

/** JetStream error codes ordo tells apart. */
export const JS_ERR = {
  streamNotFound: 10059,
  noMessageFound: 10037,
  wrongLastSequence: 10071,
  streamNameInUse: 10058,
  consumerNotFound: 10014,
} as const;

/** What a publish was acknowledged with. */
export interface PubAck {
  readonly seq: number;
  /** True when a message with the same `Nats-Msg-Id` was stored within the duplicate window. */
  readonly duplicate: boolean;
}

/** Checks the server makes before storing a publish. */
export interface PublishOptions {
  /** `Nats-Msg-Id`: the server stores a repeat within its duplicate window only once. */
  readonly msgId?: string;
  /** `Nats-Expected-Last-Subject-Sequence`: 0 means the subject holds nothing yet. */
  readonly expectedLastSubjectSequence?: number;
  /** More headers, e.g. `KV-Operation`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Milliseconds to wait for the acknowledgement. */
  readonly timeout?: number;
}

/** A message read back from a stream. */
export interface StoredMessage {
  readonly subject: string;
  readonly seq: number;
  readonly data: Uint8Array;
  /** The server's time of storing it, RFC 3339 with nanoseconds. */
  readonly time: string;
  /** The message's headers, decoded; empty when it had none. */
  readonly headers: ReadonlyMap<string, string>;
}

/** How to pick one message of a stream. */
export type MessageQuery =
  | { readonly seq: number }
  | { readonly last_by_subj: string }
  | { readonly seq: number; readonly next_by_subj: string };

/**
 * The JetStream API over one connection.
 *
 * @example
 * ```ts ignore
 * import { connect, headers } from "@nats-io/transport-node";
 * import { JetStreamApi } from "./jetstream_api.ts";
 * const api = new JetStreamApi({ connection: await connect(), headers });
 * const ack = await api.publish("orders.1", new TextEncoder().encode("{}"));
 * ```
 */
export class JetStreamApi {
  readonly driver: NatsDriver;
  readonly prefix: string;
  readonly timeout: number;
  /** When the connection was down, followed from this API's making on. */
  readonly outages: ConnectionOutages;
  readonly #replies: Replies;

  constructor(driver: NatsDriver, options: { prefix?: string; timeout?: number } = {}) {
    this.driver = driver;
    this.prefix = options.prefix ?? "$JS.API";
    this.timeout = options.timeout ?? 5000;
    this.outages = connectionOutages(driver.connection);
    this.#replies = new Replies(driver.connection);
  }

  /**
   * Sends one API request and returns its JSON answer.
   *
   * @throws {JetStreamApiFailure} when the server answers with an error
   * @throws the connection's error when nothing answers (no responders, timeout, closed)
   */
  async request(api: string, body?: unknown, timeout = this.timeout): Promise<ApiAnswer> {
    const payload = body === undefined ? EMPTY : encoder.encode(JSON.stringify(body));
    const started = Date.now();
    const reply = await this.#replies.request(`${this.prefix}.${api}`, payload, { timeout })
      .catch((error) => this.#unanswered(error, started));
    return parseAnswer(reply);
  }

  /**
   * Publishes to a stream's subject and waits for the acknowledgement.
   *
   * @throws {JetStreamApiFailure} when the stream refuses it (10071: wrong last sequence)
   */
  async publish(subject: string, data: Uint8Array, options: PublishOptions = {}): Promise<PubAck> {
    const headers = this.#headers(options);
    const started = Date.now();
    const reply = await this.#replies.request(subject, data, {
      timeout: options.timeout ?? this.timeout,
      headers,
    }).catch((error) => this.#unanswered(error, started));
    const answer = parseAnswer(reply);
    return { seq: answer.seq as number, duplicate: answer.duplicate === true };
  }

  // A call with no answer (timed out, no responders, connection gone): the
  // server was unreachable since the call started, or since the connection
  // was lost if earlier; its outage line counts from then, not from the
  // failure, which a timeout brings 5 s later.
  #unanswered(error: unknown, started: number): never {
    throw noteUnreachable(error, this.outages.unreachableSince(started));
  }

  #headers(options: PublishOptions): MsgHdrs | undefined {
    const { msgId, expectedLastSubjectSequence, headers: extra } = options;
    if (msgId === undefined && expectedLastSubjectSequence === undefined && extra === undefined) {
      return undefined;
    }
    const headers = this.driver.headers();
    if (msgId !== undefined) headers.set("Nats-Msg-Id", msgId);
    if (expectedLastSubjectSequence !== undefined) {
      headers.set("Nats-Expected-Last-Subject-Sequence", String(expectedLastSubjectSequence));
    }
    if (extra !== undefined) {
      for (const [key, value] of Object.entries(extra)) headers.set(key, value);
    }
    return headers;
  }

  /**
   * One message of a stream, from the stream's leader (so it reflects every
   * acknowledged publish); `undefined` when none matches.
   */
  async getMessage(stream: string, query: MessageQuery): Promise<StoredMessage | undefined> {
    try {
      const answer = await this.request(`STREAM.MSG.GET.${stream}`, query);
      return toStoredMessage(answer.message as RawStoredMessage);
    } catch (error) {
      if (error instanceof JetStreamApiFailure && error.errCode === JS_ERR.noMessageFound) {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Removes every message of `subject` (wildcards allowed) from a stream, or
   * only those below sequence `before`; resolves how many went.
   */
  async purge(stream: string, subject: string, before?: number): Promise<number> {
    const body = before === undefined ? { filter: subject } : { filter: subject, seq: before };
    const answer = await this.request(`STREAM.PURGE.${stream}`, body);
    return typeof answer.purged === "number" ? answer.purged : 0;
  }

  /**
   * Creates the stream, or updates it to `config` when it exists with another
   * configuration. Safe to call from every process at start-up. An update
   * never moves a stream to other subjects: what it holds would stay under
   * the old ones, out of reach of whoever reads the new (a service set up
   * with another prefix would see an empty store), so that rejects with
   * {@link SubjectsInUse} and changes nothing.
   */
  async ensureStream(config: StreamConfig): Promise<void> {
    try {
      await this.request(`STREAM.CREATE.${config.name}`, config);
    } catch (error) {
      if (!(error instanceof JetStreamApiFailure) || error.errCode !== JS_ERR.streamNameInUse) {
        throw error;
      }
      const held = (await this.request(`STREAM.INFO.${config.name}`)).config as
        | { subjects?: unknown }
        | undefined;
      const subjects = Array.isArray(held?.subjects) ? held.subjects.map(String) : [];
      if (subjects.join(" ") !== config.subjects.join(" ")) {
        throw new SubjectsInUse(config.name, subjects, config.subjects);
      }
      await this.request(`STREAM.UPDATE.${config.name}`, config);
    }
  }

  /** Rejects the calls in progress and drops the inbox subscription. */
  close(): void {
    this.#replies.close();
  }

  /** Deletes a stream; does nothing when it does not exist. */
  async deleteStream(name: string): Promise<void> {
    try {
      await this.request(`STREAM.DELETE.${name}`);
    } catch (error) {
      if (!(error instanceof JetStreamApiFailure) || error.errCode !== JS_ERR.streamNotFound) {
        throw error;
      }
    }
  }
}

/** A stream's configuration, as the JetStream API takes it (the fields ordo sets). */
export interface StreamConfig {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly storage?: "file" | "memory";
  readonly num_replicas?: number;
  readonly retention?: "limits" | "workqueue" | "interest";
  /** Nanoseconds. */
  readonly duplicate_window?: number;
  readonly max_msgs_per_subject?: number;
  readonly max_msgs?: number;
  readonly max_bytes?: number;
  readonly max_msg_size?: number;
  readonly discard?: "old" | "new";
  readonly allow_direct?: boolean;
  readonly allow_rollup_hdrs?: boolean;
  readonly deny_delete?: boolean;
  readonly deny_purge?: boolean;
}

/** A JSON API answer. */
export type ApiAnswer = Record<string, unknown>;

interface RawStoredMessage {
  readonly subject: string;
  readonly seq: number;
  readonly data?: string;
  readonly hdrs?: string;
  readonly time: string;
}

/** Parses an API or publish answer, throwing its error. */
export function parseAnswer(reply: Msg): ApiAnswer {
  const status = reply.headers?.code;
  if (status !== undefined && status >= 400 && reply.data.length === 0) {
    throw new JetStreamApiFailure(status, 0, reply.headers!.description || `status ${status}`);
  }
  const answer = JSON.parse(decoder.decode(reply.data)) as ApiAnswer;
  const error = answer.error as
    | { code: number; err_code?: number; description?: string }
    | undefined;
  if (error !== undefined) {
    throw new JetStreamApiFailure(
      error.code,
      error.err_code ?? 0,
      error.description ?? `status ${error.code}`,
    );
  }
  return answer;
}

function toStoredMessage(raw: RawStoredMessage): StoredMessage {
  return {
    subject: raw.subject,
    seq: raw.seq,
    data: raw.data === undefined ? EMPTY : fromBase64(raw.data),
    time: raw.time,
    headers: raw.hdrs === undefined
      ? new Map()
      : parseHeaders(decoder.decode(fromBase64(raw.hdrs))),
  };
}

/** Decodes `NATS/1.0\r\nKey: value\r\n…` header text (what the message-get API returns). */
export function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** UTF-8 text of bytes. */
export function textOf(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** UTF-8 bytes of text. */
export function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Whether a publish was refused for a wrong `Nats-Expected-Last-Subject-Sequence`.
 *
 * @example
 * ```ts
 * import { isWrongLastSequence } from "./jetstream_api.ts";
 * import { JetStreamApiFailure } from "./jetstream_api.ts";
 * isWrongLastSequence(new JetStreamApiFailure(400, 10071, "wrong last sequence: 3")); // true
 * ```
 */
export function isWrongLastSequence(error: unknown): error is JetStreamApiFailure {
  return error instanceof JetStreamApiFailure && error.errCode === JS_ERR.wrongLastSequence;
}

/**
 * The sequence a "wrong last sequence: N" refusal names: the subject's actual
 * last sequence; `undefined` when the text does not say.
 *
 * @example
 * ```ts
 * import { actualLastSequence } from "./jetstream_api.ts";
 * import { JetStreamApiFailure } from "./jetstream_api.ts";
 * actualLastSequence(new JetStreamApiFailure(400, 10071, "wrong last sequence: 3")); // 3
 * ```
 */
export function actualLastSequence(error: JetStreamApiFailure): number | undefined {
  const match = /wrong last sequence: (\d+)/.exec(error.description);
  return match === null ? undefined : Number(match[1]);
}
