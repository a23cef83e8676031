/**
 * Consumer storage on JetStream key-value buckets: checkpoints, parked
 * messages, processed-message records and leases, so consumers, consumer
 * groups and parking run on NATS alone, with no PostgreSQL.
 *
 * The commit: a partition's checkpoint entry (`cp.<group>.<partition>`) holds
 * its position, the lease that last wrote it (the fence) and the writes of
 * the last commit. `commit` runs the handler, then writes that entry with a
 * compare-and-set on its revision: that one write is the commit, atomic by
 * being one JetStream message. The handler's writes are then applied to their
 * buckets; `load` applies them again if the writer stopped before it had
 * (they are plain puts, so applying twice is harmless). A lease's new holder
 * first writes its token into the entry, so a commit by an earlier holder
 * fails its compare-and-set or sees the higher fence, and resolves `false`.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import {
  checkLogger,
  checkOptions,
  type CheckpointEntry,
  type CheckpointStore,
  type CheckpointUpdate,
  compareNames,
  consoleLogger,
  type ConsumerControlStore,
  type ConsumerStorage,
  type Lease,
  type LeaseFence,
  type Logger,
  type ProcessedMessageStore,
  ValidationError,
} from "../../core/mod.ts";
import {
  ConnectionWatch,
  type HeadersFactory,
  JetStreamApi,
  KvBucket,
  replicasRefused,
  translateError,
  validateBucket,
  validateDriver,
} from "./jetstream/mod.ts";
import { type Fence, type Fencing, keyParts, NatsLeases, storageKey } from "./nats_leases.ts";
import { endTransaction, type KvWrite, NatsTransaction } from "./nats_transaction.ts";
import { ServerClock } from "./server_clock.ts";
import { NatsControl } from "./_control.ts";
import { NatsParked } from "./_nats_parked.ts";

/** Options of {@link createNatsConsumerStorage}. */
export interface CreateNatsConsumerStorageOptions {
  /** The headers factory of the caller's `@nats-io` package (`headers` of `@nats-io/transport-node`). */
  readonly headers: HeadersFactory;
  /** The bucket holding checkpoints, leases, parked and processed records. Default `"ordo_consumers"`. */
  readonly bucket?: string;
  /** Read-model buckets handlers write through `tx.put`; `setup()` creates them. */
  readonly buckets?: readonly string[];
  /** Replicas of the buckets `setup()` makes. Default 1. */
  readonly replicas?: number;
  /** Milliseconds to wait for each server answer. Default 5000. */
  readonly timeout?: number;
  /** The JetStream API prefix. Default `"$JS.API"`. */
  readonly apiPrefix?: string;
  /**
   * Where the storage says its connection closed for good (once, at error
   * level when the client gave up reconnecting). Default: the console.
   */
  readonly logger?: Logger;
}

/** Consumer storage on NATS; handlers get a {@link NatsTransaction}. */
export interface NatsConsumerStorage extends ConsumerStorage<NatsTransaction> {
  /** Running consumers and replay requests, in the same bucket (keys `pr.`, `gr.`, `rq.`). */
  readonly control: ConsumerControlStore;
  /** Creates the buckets (or updates their replicas). Safe to call from every process. */
  setup(): Promise<void>;
  /** A bucket by name, to read what handlers wrote (it must exist). */
  bucket(name: string): KvBucket;
  /** Releases the storage's reads in progress; the connection stays the caller's. */
  close(): void;
}

interface CheckpointRecord {
  /** The position, as decimal text. */
  readonly p?: string;
  /** The fence: owner and token of the lease that last wrote the entry. */
  readonly f?: { readonly o: string; readonly t: string };
  /** The last commit's writes, applied after it. */
  readonly w?: readonly KvWrite[];
}

// Writes larger than this are applied before the checkpoint entry instead of inside it
// (at least once, not exactly once): an entry must fit in one NATS message.
const MAX_RECORDED_WRITES = 256 * 1024;

/**
 * Creates consumer storage over a NATS connection; call `setup()` once.
 * Once the connection closes for good (the client gave up reconnecting, or
 * the application closed it first) every call fails with `ClosedError`, and
 * the storage's logger says so once.
 *
 * @throws {ValidationError} when `connection` is not a NATS connection or an option is not valid (an unknown key too)
 * @example
 * ```ts ignore
 * import { connect, headers } from "@nats-io/transport-node";
 * import { createNatsConsumerStorage } from "./nats_consumer_storage.ts";
 * const storage = createNatsConsumerStorage(await connect(), { headers, buckets: ["totals"] });
 * await storage.setup();
 * ```
 */
export function createNatsConsumerStorage(
  connection: NatsConnection,
  options: CreateNatsConsumerStorageOptions,
): NatsConsumerStorage {
  const driver = validateDriver(connection, options?.headers);
  checkOptions(options, [
    "headers",
    "bucket",
    "buckets",
    "replicas",
    "timeout",
    "apiPrefix",
    "logger",
  ]);
  const logger = checkLogger(options.logger, "options.logger", consoleLogger);
  const api = new JetStreamApi(driver, { prefix: options.apiPrefix, timeout: options.timeout });
  const name = validateBucket(options.bucket ?? "ordo_consumers", "options.bucket");
  // With the store elsewhere (PostgreSQL, memory), nothing else would say why
  // the consumers on this storage stopped: each call fails with ClosedError,
  // which stops a consumer quietly, as a closed store does.
  const watch = new ConnectionWatch(driver.connection, {
    component: "consumer storage",
    closeFirst: "the consumers, then the storage (storage.close())",
    logger,
    fields: { bucket: name },
    // Nothing of the storage's own retries: its callers stop at the ClosedError.
    onClosed: () => {},
  });
  const extra = (options.buckets ?? []).map((b) => validateBucket(b, "options.buckets"));
  const replicas = options.replicas ?? 1;
  const buckets = new Map<string, KvBucket>();
  const bucket = (bucketName: string) => {
    let found = buckets.get(bucketName);
    if (found === undefined) buckets.set(bucketName, found = new KvBucket(api, bucketName));
    return found;
  };
  const own = bucket(name);
  const apply = (writes: readonly KvWrite[]) =>
    Promise.all(
      writes.map((w) =>
        w.value === undefined
          ? bucket(w.bucket).delete(w.key)
          : bucket(w.bucket).put(w.key, w.value)
      ),
    );
  const checkpoints = new NatsCheckpoints(own, apply);
  const clock = new ServerClock(own, storageKey("clock"));
  const leases = new NatsLeases(own, clock, checkpoints);
  checkpoints.leases = leases;
  return {
    checkpoints,
    leases: guarded(leases, "leases"),
    control: guarded(new NatsControl(own, clock), "control"),
    parked: new NatsParked(own),
    processed: new NatsProcessed(own),
    bucket: (bucketName) => bucket(validateBucket(bucketName)),
    async setup() {
      try {
        for (const b of new Set([name, ...extra])) await bucket(b).setup({ replicas });
      } catch (error) {
        throw translateError(replicasRefused(error, replicas), "setup");
      }
    },
    close() {
      watch.stop();
      for (const b of buckets.values()) b.close();
      api.close();
    },
  };
}

// Translates the driver's failures of every method of `target`.
function guarded<T extends object>(target: T, operation: string): T {
  return new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(object, args);
        } catch (error) {
          throw translateError(error, `${operation}.${String(property)}`);
        }
      };
    },
  });
}

class NatsCheckpoints implements CheckpointStore<NatsTransaction>, Fencing {
  readonly #bucket: KvBucket;
  readonly #apply: (writes: readonly KvWrite[]) => Promise<unknown>;
  leases!: NatsLeases;

  constructor(bucket: KvBucket, apply: (writes: readonly KvWrite[]) => Promise<unknown>) {
    this.#bucket = bucket;
    this.#apply = apply;
  }

  async #read(group: string, partition: number) {
    const { entry, revision } = await this.#bucket.read(storageKey("cp", group, partition));
    const record: CheckpointRecord = entry === undefined ? {} : JSON.parse(entry.value);
    return { record, revision };
  }

  async load(group: string, partition: number): Promise<bigint | undefined> {
    try {
      const { record, revision } = await this.#read(group, partition);
      if (record.w !== undefined && record.w.length > 0) {
        // The last commit's writes, in case its writer stopped before applying them.
        await this.#apply(record.w);
        await this.#bucket.update(
          storageKey("cp", group, partition),
          JSON.stringify({ ...record, w: undefined }),
          revision,
        );
      }
      return record.p === undefined ? undefined : BigInt(record.p);
    } catch (error) {
      throw translateError(error, "load");
    }
  }

  async commit(
    update: CheckpointUpdate,
    work: (tx: NatsTransaction) => Promise<void> | void,
  ): Promise<boolean> {
    const { group, partition, position, lease } = update;
    if (position !== undefined && (typeof position !== "bigint" || position < 0n)) {
      throw new ValidationError("update.position", position, "must be a bigint, 0n or more");
    }
    let current;
    try {
      current = await this.#read(group, partition);
      if (
        lease !== undefined &&
        (fencedOut(current.record, lease) ||
          !(await this.leases.holds({ group, partition, ...lease })))
      ) {
        return false;
      }
    } catch (error) {
      throw translateError(error, "commit");
    }
    const tx = new NatsTransaction();
    try {
      await work(tx);
    } catch (error) {
      endTransaction(tx);
      throw error;
    }
    const { writes, callbacks } = endTransaction(tx);
    try {
      const recorded = JSON.stringify(writes).length <= MAX_RECORDED_WRITES;
      if (!recorded) await this.#apply(writes);
      const key = storageKey("cp", group, partition);
      for (;;) {
        const next: CheckpointRecord = {
          p: position === undefined ? current.record.p : String(position),
          f: lease === undefined ? current.record.f : { o: lease.owner, t: String(lease.token) },
          w: recorded && writes.length > 0 ? writes : undefined,
        };
        if (
          (await this.#bucket.update(key, JSON.stringify(next), current.revision)) !== undefined
        ) {
          break;
        }
        current = await this.#read(group, partition);
        // A new holder fenced the partition while the work ran.
        if (lease !== undefined && fencedOut(current.record, lease)) return false;
      }
      if (recorded) await this.#apply(writes);
    } catch (error) {
      throw translateError(error, "commit");
    }
    for (const callback of callbacks) callback();
    return true;
  }

  /** The fence a partition's entry holds. */
  async fenceOf(group: string, partition: number): Promise<Fence | undefined> {
    const { record } = await this.#read(group, partition);
    return record.f === undefined ? undefined : { owner: record.f.o, token: BigInt(record.f.t) };
  }

  /** Writes a new lease holder's token into the partition's entry, before it loads it. */
  async fence(lease: Lease): Promise<void> {
    const key = storageKey("cp", lease.group, lease.partition);
    for (;;) {
      const { record, revision } = await this.#read(lease.group, lease.partition);
      if (record.f !== undefined && BigInt(record.f.t) > lease.token) return;
      const next = { ...record, f: { o: lease.owner, t: String(lease.token) } };
      if ((await this.#bucket.update(key, JSON.stringify(next), revision)) !== undefined) return;
    }
  }

  // One scan of the group's checkpoint entries; an entry holding only a fence has no position yet.
  async list(): Promise<CheckpointEntry[]> {
    try {
      const listed: CheckpointEntry[] = [];
      for (const entry of await this.#bucket.list("cp")) {
        const [, group, partition] = keyParts(entry.key);
        const record = JSON.parse(entry.value) as CheckpointRecord;
        if (record.p === undefined) continue;
        listed.push({ group, partition: Number(partition), position: BigInt(record.p) });
      }
      return listed.sort((a, b) => compareNames(a.group, b.group) || a.partition - b.partition);
    } catch (error) {
      throw translateError(error, "checkpoints.list");
    }
  }

  async reset(group: string): Promise<void> {
    try {
      await this.#bucket.purgePrefix(storageKey("cp", group));
    } catch (error) {
      throw translateError(error, "reset");
    }
  }
}

function fencedOut(record: CheckpointRecord, lease: LeaseFence): boolean {
  if (record.f === undefined) return false;
  const token = BigInt(record.f.t);
  return token > lease.token || (token === lease.token && record.f.o !== lease.owner);
}

class NatsProcessed implements ProcessedMessageStore<NatsTransaction> {
  readonly #bucket: KvBucket;

  constructor(bucket: KvBucket) {
    this.#bucket = bucket;
  }

  async has(scope: string, key: string, options: { readonly tx?: NatsTransaction } = {}) {
    const entry = storageKey("pm", scope, key);
    if (options.tx?.writes(this.#bucket.name, entry)) return true;
    try {
      return (await this.#bucket.get(entry)) !== undefined;
    } catch (error) {
      throw translateError(error, "processed.has");
    }
  }

  async record(scope: string, key: string, options: { readonly tx?: NatsTransaction } = {}) {
    const entry = storageKey("pm", scope, key);
    if (options.tx !== undefined) {
      options.tx.put(this.#bucket.name, entry, 1);
      return;
    }
    try {
      await this.#bucket.put(entry, "1");
    } catch (error) {
      throw translateError(error, "processed.record");
    }
  }
}
