/**
 * A JetStream key-value bucket, spoken over the same JetStream API as the
 * store: the stream `KV_<bucket>` with subjects `$KV.<bucket>.<key>`, one
 * entry per key, deletes as `KV-Operation: DEL` markers. That is the layout
 * of `@nats-io/kv` and the `nats kv` tool, so buckets ordo makes can be read
 * with them, and the other way round. Compare-and-set is JetStream's
 * `Nats-Expected-Last-Subject-Sequence`: an entry's revision is its stream
 * sequence.
 *
 * @module
 */

import { ValidationError } from "../../../core/mod.ts";
import { bytesOf, isWrongLastSequence, type JetStreamApi, textOf } from "./jetstream_api.ts";
import { type RecordSource, scanMessages } from "./scan.ts";
import { Puller } from "./consumer_pull.ts";

/** One entry: its value, revision and the server's time of writing it. */
export interface KvEntry {
  /** The key, as written. */
  readonly key: string;
  /** The value, as text (JSON for what ordo writes). */
  readonly value: string;
  /** The entry's stream sequence: what a compare-and-set names. */
  readonly revision: number;
  /** Milliseconds since the epoch, by the server's clock. */
  readonly written: number;
}

const BUCKET = /^[A-Za-z0-9_-]{1,64}$/;
const KEY = /^[-/_=.a-zA-Z0-9]+$/;

/**
 * Checks a bucket name: letters, digits, `_` and `-`.
 *
 * @throws {ValidationError} for anything else
 * @example
 * ```ts
 * import { validateBucket } from "./kv_bucket.ts";
 * validateBucket("totals"); // "totals"
 * ```
 */
export function validateBucket(name: unknown, path = "bucket"): string {
  if (typeof name !== "string" || !BUCKET.test(name)) {
    throw new ValidationError(path, name, "a bucket name is 1 to 64 letters, digits, _ and -");
  }
  return name;
}

/**
 * Milliseconds since the epoch of an RFC 3339 time with nanoseconds.
 *
 * @example
 * ```ts
 * import { serverMillis } from "./kv_bucket.ts";
 * serverMillis("2026-12-06T18:41:18.922557774Z"); // 1796582478922
 * ```
 */
export function serverMillis(time: string): number {
  return Date.parse(time.replace(/(\.\d{3})\d+/, "$1"));
}

/**
 * A key-value bucket.
 *
 * @example
 * ```ts ignore
 * import { KvBucket } from "./kv_bucket.ts";
 * const bucket = new KvBucket(api, "totals");
 * await bucket.setup({ replicas: 1 });
 * const revision = await bucket.put("order.1", "3");
 * ```
 */
export class KvBucket {
  /** The bucket's name. */
  readonly name: string;
  /** The JetStream stream behind it, `KV_<name>`. */
  readonly stream: string;
  readonly #api: JetStreamApi;
  readonly #source: RecordSource;

  /** A bucket over `api`; `setup()` creates it when it does not exist. */
  constructor(api: JetStreamApi, name: string) {
    this.name = validateBucket(name);
    this.stream = `KV_${name}`;
    this.#api = api;
    this.#source = { api, puller: new Puller(api), stream: this.stream };
  }

  #subject(key: string): string {
    if (!KEY.test(key) || key.startsWith(".") || key.endsWith(".")) {
      throw new ValidationError("key", key, "a key holds letters, digits and -/_=.");
    }
    return `$KV.${this.name}.${key}`;
  }

  /** Creates the bucket's stream, or updates its replicas. */
  async setup(options: { readonly replicas?: number } = {}): Promise<void> {
    await this.#api.ensureStream({
      name: this.stream,
      subjects: [`$KV.${this.name}.>`],
      storage: "file",
      retention: "limits",
      num_replicas: options.replicas ?? 1,
      max_msgs_per_subject: 1,
      discard: "new",
      allow_rollup_hdrs: true,
      deny_delete: true,
      allow_direct: true,
      duplicate_window: 120_000_000_000,
    });
  }

  /** The current entry of a key; `undefined` when absent or deleted. */
  async get(key: string): Promise<KvEntry | undefined> {
    return (await this.read(key)).entry;
  }

  /**
   * The current entry of a key and the revision a compare-and-set must name:
   * the last write's, deletes included (0 when the key was never written).
   */
  async read(key: string): Promise<{ entry: KvEntry | undefined; revision: number }> {
    const stored = await this.#api.getMessage(this.stream, { last_by_subj: this.#subject(key) });
    if (stored === undefined) return { entry: undefined, revision: 0 };
    const entry = stored.headers.has("KV-Operation") ? undefined : {
      key,
      value: textOf(stored.data),
      revision: stored.seq,
      written: serverMillis(stored.time),
    };
    return { entry, revision: stored.seq };
  }

  /**
   * The first write at or after revision `from` of a key under `prefix.`
   * (`value` undefined for a delete marker); `undefined` when there is none.
   * One message get, no consumer: a walk by revision sees keys removed
   * meanwhile simply as gone, where a scan would wait for them.
   */
  async next(
    prefix: string,
    from: number,
  ): Promise<{ key: string; revision: number; value: string | undefined } | undefined> {
    const filter = `${this.#subject(prefix.replace(/\.$/, ""))}.>`;
    const stored = await this.#api.getMessage(this.stream, { seq: from, next_by_subj: filter });
    if (stored === undefined) return undefined;
    return {
      key: stored.subject.slice(`$KV.${this.name}.`.length),
      revision: stored.seq,
      value: stored.headers.has("KV-Operation") ? undefined : textOf(stored.data),
    };
  }

  /** Writes a key whatever it holds; resolves the new revision. */
  async put(key: string, value: string): Promise<number> {
    return (await this.#api.publish(this.#subject(key), bytesOf(value))).seq;
  }

  /**
   * Writes a key only if its revision is `revision` (0: the key was never
   * written, or its last write was the delete at that revision); resolves the
   * new revision, or `undefined` when the key changed first.
   */
  async update(key: string, value: string, revision: number): Promise<number | undefined> {
    try {
      const ack = await this.#api.publish(this.#subject(key), bytesOf(value), {
        expectedLastSubjectSequence: revision,
      });
      return ack.seq;
    } catch (error) {
      if (isWrongLastSequence(error)) return undefined;
      throw error;
    }
  }

  /** Deletes a key (a delete marker, as `@nats-io/kv` writes). */
  async delete(key: string): Promise<void> {
    await this.#api.publish(this.#subject(key), new Uint8Array(0), {
      headers: { "KV-Operation": "DEL" },
    });
  }

  /**
   * Deletes a key only if its revision is `revision`: of several callers
   * naming the same revision, one gets the marker's revision, the others
   * `undefined` (what takes a queued request exactly once).
   */
  async deleteIf(key: string, revision: number): Promise<number | undefined> {
    try {
      const ack = await this.#api.publish(this.#subject(key), new Uint8Array(0), {
        headers: { "KV-Operation": "DEL" },
        expectedLastSubjectSequence: revision,
      });
      return ack.seq;
    } catch (error) {
      if (isWrongLastSequence(error)) return undefined;
      throw error;
    }
  }

  /**
   * Removes a key and its history, leaving no delete marker; with `before`,
   * only its writes below that revision (a later write stays).
   */
  async purge(key: string, before?: number): Promise<void> {
    await this.#api.purge(this.stream, this.#subject(key), before);
  }

  /** Removes every key under a prefix (`group.` removes `group.*`, `group.*.*`, …). */
  async purgePrefix(prefix: string): Promise<void> {
    await this.#api.purge(this.stream, `${this.#subject(prefix.replace(/\.$/, ""))}.>`);
  }

  /** Every current entry whose key starts with `prefix.`, in revision order. */
  list(prefix: string, operation = "list"): Promise<KvEntry[]> {
    return this.#scan(`${this.#subject(prefix.replace(/\.$/, ""))}.>`, operation);
  }

  /** Every current entry of the bucket, in revision order. */
  entries(operation = "list"): Promise<KvEntry[]> {
    return this.#scan(`$KV.${this.name}.>`, operation);
  }

  async #scan(filter: string, operation: string): Promise<KvEntry[]> {
    const entries: KvEntry[] = [];
    const base = `$KV.${this.name}.`;
    await scanMessages(this.#source, {
      filter,
      startSeq: 1,
      lastPerSubject: true,
      batch: 256,
      operation,
    }, (message) => {
      if (message.headers?.has("KV-Operation")) return true;
      // The ack subject's second-to-last token is the time the server stored it, in nanoseconds.
      const stamp = Number(message.reply.split(".").at(-2));
      entries.push({
        key: message.subject.slice(base.length),
        value: textOf(message.data),
        revision: message.seq,
        written: Math.floor(stamp / 1_000_000),
      });
      return true;
    });
    return entries;
  }

  /** Releases the bucket's reads in progress. */
  close(): void {
    this.#source.puller.close();
  }
}
