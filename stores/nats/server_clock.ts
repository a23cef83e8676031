/**
 * The NATS server's clock, as seen from this process. Leases expire by the
 * lease store's clock, never a member's (the `LeaseStore` port says so), and
 * a NATS server tells the time only by stamping what it stores. So the clock
 * writes a probe entry, reads back the server's stamp, and keeps the offset
 * from the local clock (taking the middle of the write's round trip as the moment
 * of the stamp); it measures again after `refresh` milliseconds. Its error is
 * at most half a round trip plus the drift since the last probe.
 *
 * @module
 */

import { type KvBucket } from "./jetstream/mod.ts";

/** The server's time, estimated. */
export class ServerClock {
  readonly #bucket: KvBucket;
  readonly #key: string;
  readonly #refresh: number;
  #offset = 0;
  #measuredAt = -Infinity;
  #measuring: Promise<void> | undefined;

  /** Probes by writing `key` in `bucket` (one entry, overwritten each time). */
  constructor(bucket: KvBucket, key: string, refresh = 30_000) {
    this.#bucket = bucket;
    this.#key = key;
    this.#refresh = refresh;
  }

  /** Milliseconds since the epoch by the server's clock. */
  async now(): Promise<number> {
    if (performance.now() - this.#measuredAt > this.#refresh) {
      this.#measuring ??= this.#measure().finally(() => (this.#measuring = undefined));
      await this.#measuring;
    }
    return Date.now() + this.#offset;
  }

  async #measure(): Promise<void> {
    const sent = Date.now();
    const revision = await this.#bucket.put(this.#key, String(sent));
    const acked = Date.now();
    const entry = await this.#bucket.get(this.#key);
    if (entry !== undefined && entry.revision === revision) {
      this.#offset = entry.written - (sent + acked) / 2;
    }
    this.#measuredAt = performance.now();
  }
}
