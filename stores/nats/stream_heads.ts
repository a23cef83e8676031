/**
 * What one store process last knew of each stream's end: the stream sequence
 * of its last record and the version of its last message. An append needs
 * both (the sequence for `Nats-Expected-Last-Subject-Sequence`, the version to
 * number its messages); with them known it is one publish. A stale entry is
 * harmless: the server refuses the publish with "wrong last sequence", and
 * the store reads the stream's end and tries again.
 *
 * @module
 */

/** A stream's end as last seen. */
export interface StreamHead {
  /** Stream sequence of the stream's last record. */
  readonly seq: number;
  /** Version of the stream's last message. */
  readonly lastVersion: number;
}

/**
 * A bounded map from stream name to its last known head, dropping the least
 * recently used entries past `capacity`.
 *
 * @example
 * ```ts
 * import { StreamHeads } from "./stream_heads.ts";
 * const heads = new StreamHeads(2);
 * heads.set("order-1", { seq: 5, lastVersion: 2 });
 * heads.get("order-1"); // { seq: 5, lastVersion: 2 }
 * ```
 */
export class StreamHeads {
  readonly #capacity: number;
  readonly #heads = new Map<string, StreamHead>();

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  get(streamName: string): StreamHead | undefined {
    const head = this.#heads.get(streamName);
    if (head !== undefined) {
      this.#heads.delete(streamName);
      this.#heads.set(streamName, head);
    }
    return head;
  }

  /** Records a head, unless a later one (higher sequence) is already known. */
  set(streamName: string, head: StreamHead): void {
    const known = this.#heads.get(streamName);
    if (known !== undefined && known.seq > head.seq) return;
    this.#heads.delete(streamName);
    this.#heads.set(streamName, head);
    if (this.#heads.size > this.#capacity) {
      this.#heads.delete(this.#heads.keys().next().value!);
    }
  }

  /** Forgets a stream (after a refusal showed the entry wrong). */
  delete(streamName: string): void {
    this.#heads.delete(streamName);
  }
}
