/**
 * The consumer storage ports: where consumers keep their checkpoints, parked
 * (dead-lettered) messages, processed-message records and partition leases.
 *
 * The atomicity seam is {@link CheckpointStore.commit}: it runs the handler's
 * work with an opaque transaction `Tx` and saves the checkpoint in the same
 * transaction. A storage that lives in the read model's database (PostgreSQL)
 * hands the handler its SQL transaction, so the handler's writes and the
 * checkpoint commit together and each message takes effect exactly once.
 * Parking and processed-message records accept the same `Tx`, so parking a
 * message and moving the checkpoint past it are one step too.
 *
 * @module
 */

import type { RecordedMessage } from "../message.ts";
import type { ConsumerSource } from "./source.ts";

/** What {@link CheckpointStore.commit} writes: the consumer, and where its next read starts. */
export interface CheckpointUpdate {
  /** Consumer group name: every member of a group shares its checkpoints. */
  readonly group: string;
  /** Partition within the group; `0` for a consumer without partitions. */
  readonly partition: number;
  /**
   * Where the next read starts (the inclusive `from` of the read), usually the
   * handled message's position + 1: a global position for `all` and category
   * sources, a stream version for a stream source. Omitted: the work runs in
   * a transaction and no checkpoint moves (replaying a parked message).
   */
  readonly position?: bigint;
  /**
   * The lease the writer holds for this partition. When given, the commit
   * takes effect only while this lease is still the partition's current,
   * unexpired lease (same token): a member that lost its partition can never
   * move the checkpoint its successor is using.
   */
  readonly lease?: LeaseFence;
}

/** The part of a {@link Lease} that fences a commit. */
export interface LeaseFence {
  /** The member holding the lease. */
  readonly owner: string;
  /** Grows every time the partition changes hands. */
  readonly token: bigint;
}

/**
 * Checkpoints, with the transaction seam.
 *
 * Guarantees an implementation keeps (the consumer contract suite checks them):
 * - `commit` runs `work(tx)` once and saves the position only if `work`
 *   resolved, in the same transaction: either both take effect or neither;
 * - when `work` throws, nothing is saved and `commit` rejects with that error;
 * - when the fence fails, nothing is saved and `commit` resolves `false`.
 */
export interface CheckpointStore<Tx> {
  /** The saved position of a partition; `undefined` when none was ever saved. */
  load(group: string, partition: number): Promise<bigint | undefined>;
  /**
   * Runs `work(tx)` and saves `update.position` atomically.
   *
   * @returns `true` when committed, `false` when `update.lease` was no longer current
   * @throws whatever `work` threw; nothing was saved
   * @throws {StoreUnavailableError} when the storage failed; whether anything was saved is unknown only if the storage says so in its docs
   */
  commit(update: CheckpointUpdate, work: (tx: Tx) => Promise<void> | void): Promise<boolean>;
  /** Forgets every checkpoint of a group, so its consumers start from the beginning. */
  reset(group: string): Promise<void>;
  /**
   * Optional, for operators' tools: every saved checkpoint of every group,
   * ordered by group, then partition.
   */
  list?(): Promise<CheckpointEntry[]>;
}

/** One saved checkpoint, as {@link CheckpointStore.list} lists it. */
export interface CheckpointEntry {
  /** The consumer group. */
  readonly group: string;
  /** The partition; 0 for a consumer without partitions. */
  readonly partition: number;
  /** Where the partition's next read starts. */
  readonly position: bigint;
}

/** A handler error as stored with a parked message: plain data, so any storage can keep it. */
export interface StoredError {
  /** The error's `name` (`TypeError`); `"NonError"` when something else was thrown. */
  readonly name: string;
  /** The error's message, or the thrown value as text. */
  readonly message: string;
  /** The stack trace, when the thrown value had one. */
  readonly stack?: string;
}

/** A message a consumer gave up on after its retries, with why. */
export interface ParkedMessage {
  /** The consumer group that gave up on it. */
  readonly group: string;
  /** The group's partition it belongs to; 0 for a consumer without partitions. */
  readonly partition: number;
  /** The message as the store recorded it; replays hand it to the handler again. */
  readonly message: RecordedMessage;
  /** The last attempt's error. */
  readonly error: StoredError;
  /** Handler calls so far, replays included. */
  readonly attempts: number;
  /** ISO 8601, when it was (last) parked. */
  readonly parkedAt: string;
}

/** Options of {@link ParkedMessageStore.list}. */
export interface ListParkedOptions {
  /** Most entries to return; default 100. */
  readonly limit?: number;
  /** Only entries parked from a message with a global position above this one (paging). */
  readonly after?: bigint;
}

/** How many messages a group has parked, and since when. */
export interface ParkedSummary {
  /** Messages parked in the group now. */
  readonly count: number;
  /** ISO 8601, the earliest `parkedAt` among them; absent when none is parked. */
  readonly oldestParkedAt?: string;
}

/** Parked (dead-lettered) messages of every group. */
export interface ParkedMessageStore<Tx> {
  /** Parks a message, replacing an entry for the same group and message id. */
  park(entry: ParkedMessage, options?: { readonly tx?: Tx }): Promise<void>;
  /** A group's parked messages in global order. */
  list(group: string, options?: ListParkedOptions): Promise<ParkedMessage[]>;
  /** One parked message; `undefined` when it is not parked. */
  get(group: string, messageId: string): Promise<ParkedMessage | undefined>;
  /** Takes a message off the parked list; resolves whether it was there. */
  remove(group: string, messageId: string, options?: { readonly tx?: Tx }): Promise<boolean>;
  /**
   * How many messages a group has parked and the oldest `parkedAt`, in one
   * query. Optional: without it, a consumer's status pages through `list`.
   */
  summary?(group: string): Promise<ParkedSummary>;

  /**
   * Optional, for operators' tools: every group with parked messages, how
   * many, since when, and its most recently parked entry, ordered by group.
   */
  groups?(): Promise<ParkedGroup[]>;
}

/** A group's parked messages at a glance, as {@link ParkedMessageStore.groups} gives them. */
export interface ParkedGroup {
  /** The consumer group. */
  readonly group: string;
  /** How many of its messages are parked. */
  readonly count: number;
  /** ISO 8601, the earliest `parkedAt` among them. */
  readonly oldestParkedAt: string;
  /** Its most recently parked entry. */
  readonly latest: {
    /** The parked message's id. */
    readonly messageId: string;
    /** Why it was parked. */
    readonly error: StoredError;
    /** Handler calls so far. */
    readonly attempts: number;
    /** ISO 8601, when it was (last) parked. */
    readonly parkedAt: string;
  };
}

/**
 * A record of effects already done, keyed by an idempotency key (usually a
 * message id) within a scope (usually the consumer group and the effect).
 */
export interface ProcessedMessageStore<Tx> {
  /** Whether `key` was recorded in `scope` (seen through `tx` when given). */
  has(scope: string, key: string, options?: { readonly tx?: Tx }): Promise<boolean>;
  /** Records `key` in `scope`; recording twice is harmless. */
  record(scope: string, key: string, options?: { readonly tx?: Tx }): Promise<void>;
}

/** Who holds a partition, until when, under which fencing token. */
export interface Lease extends LeaseFence {
  /** The consumer group the partition belongs to. */
  readonly group: string;
  /** The partition held, from 0 to the group's partition count - 1. */
  readonly partition: number;
  /** Milliseconds since the epoch, by the lease store's clock. */
  readonly expiresAt: number;
}

/** Options of {@link LeaseStore.acquire} and {@link LeaseStore.heartbeat}. */
export interface LeaseOptions {
  /** Lease lifetime in milliseconds, from now by the lease store's clock. */
  readonly ttl: number;
}

/** Which running instance of a member calls {@link LeaseStore.heartbeat}, `acquire` or `leave`. */
export interface InstanceOption {
  /**
   * The running instance, told apart from others under the same member name:
   * a group member generates one each time it starts. The store keeps it with
   * the membership and the leases. Default: the member's name (a caller that
   * runs one instance per name).
   */
  readonly instance?: string;
}

/**
 * Group membership and partition leases. Implementations decide expiry by
 * their own clock (the database's, for PostgreSQL), never the caller's.
 *
 * Guarantees: at most one unexpired lease per (group, partition); a new holder
 * always gets a higher `token` than every earlier holder of that partition;
 * at most one instance per member name holds an unexpired membership. A
 * holder is an owner and an instance: another instance under the same name
 * is another holder (docs/decisions/consumers.md, "One running instance per
 * member name").
 */
export interface LeaseStore {
  /**
   * Marks `member` (this instance of it) alive for `ttl` ms; resolves every
   * live member of the group, sorted.
   *
   * @throws {ValidationError} at `member` (`memberNameInUse`) while another instance's membership under the name is unexpired; nothing was written
   */
  heartbeat(
    group: string,
    member: string,
    options: LeaseOptions & InstanceOption,
  ): Promise<string[]>;
  /**
   * Removes `member` from the group at once and releases its leases, when
   * this instance holds them; another instance's are left alone.
   */
  leave(group: string, member: string, options?: InstanceOption): Promise<void>;
  /**
   * Takes or renews a partition's lease for `owner` (this instance of it).
   * Renewing keeps the token. Resolves `undefined` while another holder's
   * lease is unexpired, another instance of the same owner's too.
   */
  acquire(
    group: string,
    partition: number,
    options: LeaseOptions & InstanceOption & { readonly owner: string },
  ): Promise<Lease | undefined>;
  /** Gives a lease up; does nothing when it is no longer current. */
  release(lease: Lease): Promise<void>;
  /** Current leases of a group, expired ones included until replaced. */
  list(group: string): Promise<Lease[]>;
  /**
   * Optional, for operators' tools: every group with live members or held
   * leases, its live members (sorted) and its leases (by partition; expired
   * ones included until replaced), ordered by group. Reading changes nothing.
   */
  groups?(): Promise<GroupLeases[]>;
}

/** A consumer group's members and leases, as {@link LeaseStore.groups} gives them. */
export interface GroupLeases {
  /** The consumer group. */
  readonly group: string;
  /** Members whose membership has not expired, sorted. */
  readonly members: readonly string[];
  /** Partitions held, by partition. */
  readonly leases: readonly Lease[];
}

/** A running consumer, as it announces itself through {@link ConsumerControlStore.announce}. */
export interface ConsumerPresence {
  /** Its consumer group. */
  readonly group: string;
  /** Unique among the group's running consumers: a group member's name, else a random id. */
  readonly instance: string;
  /** What the group reads. */
  readonly source: ConsumerSource;
  /** The group's partition count; 1 for a consumer without partitions. */
  readonly partitions: number;
}

/** A running consumer as the control store lists it. */
export interface PresentConsumer extends ConsumerPresence {
  /** ISO 8601, when it first announced itself. */
  readonly startedAt: string;
  /** Milliseconds since the epoch, by the storage's clock: gone if not announced again by then. */
  readonly expiresAt: number;
}

/** What a group reads, as its consumers last announced it (kept after they stop). */
export interface KnownGroup {
  /** The consumer group. */
  readonly group: string;
  /** What it reads. */
  readonly source: ConsumerSource;
  /** Its partition count; 1 for a consumer without partitions. */
  readonly partitions: number;
  /** ISO 8601, when one of its consumers last announced itself. */
  readonly seenAt: string;
}

/** A replay asked for by an operator and not yet taken by a running consumer. */
export interface ReplayRequest {
  /** The consumer group whose handler is to replay it. */
  readonly group: string;
  /** The parked message's id. */
  readonly messageId: string;
  /** ISO 8601, when it was asked for. */
  readonly requestedAt: string;
}

/**
 * What running consumers share with the people who operate them, across
 * processes: which consumers run and what each group reads, and replays of
 * parked messages asked for from the `ordo` command line or the console. A
 * replay needs the group's handler, which lives in the user's service, so
 * the request is stored here and a running consumer of the group takes it
 * (docs/decisions/operations.md). Expiry is by the storage's clock.
 */
export interface ConsumerControlStore {
  /** Marks a consumer running for `ttl` ms and records what its group reads. */
  announce(presence: ConsumerPresence, options: LeaseOptions): Promise<void>;
  /** Marks a consumer stopped at once; what its group reads stays known. */
  withdraw(group: string, instance: string): Promise<void>;
  /** Consumers running now (not expired), by group then instance. */
  running(): Promise<PresentConsumer[]>;
  /** Every group a consumer ever announced, by group. */
  groups(): Promise<KnownGroup[]>;
  /** Asks the group's running consumers to replay a parked message; asking twice asks once. */
  requestReplay(group: string, messageId: string): Promise<void>;
  /** Takes up to `limit` of the group's requests, oldest first; each request is taken once. */
  takeReplays(group: string, options: { readonly limit: number }): Promise<string[]>;
  /** Requests not yet taken, of one group or of all, oldest first. */
  pendingReplays(group?: string): Promise<ReplayRequest[]>;
}

/**
 * Everything a consumer keeps besides the messages, as one object so that an
 * implementation can share one database and one transaction type across the
 * four parts. `Tx` is what handlers receive to write in the same transaction
 * as the checkpoint.
 *
 * @example
 * ```ts
 * import { createMemoryConsumerStorage } from "../../stores/memory/memory_consumer_storage.ts";
 * const storage = createMemoryConsumerStorage();
 * await storage.checkpoints.commit({ group: "totals", partition: 0, position: 5n }, () => {});
 * console.log(await storage.checkpoints.load("totals", 0)); // 5n
 * ```
 */
export interface ConsumerStorage<Tx = unknown> {
  /**
   * True when the storage has a single connection (PGlite): anything outside
   * an open transaction waits for it to end, so the consumer's helpers write
   * through `tx` instead. `context.once` then records its key inside the
   * handler's transaction and remembers in memory, for the retries of the
   * same delivery, that the effect ran; only a crash after the effect and
   * before the commit can repeat it (the same window as everywhere else).
   */
  readonly singleConnection?: boolean;
  /** Where each group's partitions resume; commits carry the handler's transaction. */
  readonly checkpoints: CheckpointStore<Tx>;
  /** Messages given up on after their retries, until replayed. */
  readonly parked: ParkedMessageStore<Tx>;
  /** Effects already done, for `context.once`. */
  readonly processed: ProcessedMessageStore<Tx>;
  /** Group membership and partition leases, for consumer groups. */
  readonly leases: LeaseStore;
  /**
   * Optional: running consumers and replay requests, shared with the `ordo`
   * command line and the console. Consumers announce themselves and take
   * replay requests through it when it is there.
   */
  readonly control?: ConsumerControlStore;
}
