/**
 * Options of the NATS store, their defaults and their checks, and the
 * JetStream streams they describe.
 *
 * @module
 */

import {
  type AppendLimits,
  checkLogger,
  checkOptions,
  consoleLogger,
  type Logger,
  type Telemetry,
  ValidationError,
} from "../../core/mod.ts";
import { POSITIONS_PER_SEQUENCE } from "./batch_record.ts";
import { type HeadersFactory, type StreamConfig, validateSubjectPrefix } from "./jetstream/mod.ts";

/** Options of {@link createNatsStore}. */
export interface CreateNatsStoreOptions extends AppendLimits {
  /**
   * The headers factory of the caller's `@nats-io` package:
   * `import { headers } from "@nats-io/transport-node"` (or `@nats-io/nats-core`).
   */
  readonly headers: HeadersFactory;
  /** The JetStream stream holding the messages. Default `"ORDO"`; the id index is `<stream>_IDS`. */
  readonly stream?: string;
  /** Every subject of the store starts with it. Default `"ordo"`. */
  readonly subjectPrefix?: string;
  /** Replicas of both streams, made by `setup()`: 1, or 3 or 5 on a cluster. Default 1. */
  readonly replicas?: number;
  /**
   * Milliseconds JetStream remembers a publish's `Nats-Msg-Id`, set by
   * `setup()`. Default 120000 (JetStream's own). Idempotency does not depend
   * on it (the id index has no time limit); it makes a retried publish cheap.
   */
  readonly duplicateWindow?: number;
  /** Milliseconds to wait for each server answer. Default 5000. */
  readonly timeout?: number;
  /** The JetStream API prefix (another domain or account). Default `"$JS.API"`. */
  readonly apiPrefix?: string;
  /** Milliseconds before following live appends again after a failure. Default 1000. */
  readonly resubscribeDelay?: number;
  /**
   * Where the store reports a failure it retries (following live appends),
   * and what is built on it (consumers, the NATS transport) unless given
   * its own logger. Default: the console.
   */
  readonly logger?: Logger;
  /**
   * Where appends and reads report spans and metrics (`openTelemetry()` from
   * `ordo/opentelemetry`), as `nats:<stream>`; consumers and the NATS
   * transport built on the store inherit it. Default: none, and the store is
   * not wrapped.
   */
  readonly telemetry?: Telemetry;
}

/** Every key of {@link CreateNatsStoreOptions}: any other is refused. */
export const NATS_STORE_OPTION_KEYS: readonly string[] = [
  "headers",
  "stream",
  "subjectPrefix",
  "replicas",
  "duplicateWindow",
  "timeout",
  "apiPrefix",
  "resubscribeDelay",
  "logger",
  "telemetry",
  "maxMessageSize",
  "maxBatchSize",
];

/** The options with defaults filled in. */
export interface CheckedNatsStoreOptions {
  readonly stream: string;
  readonly indexStream: string;
  readonly subjectPrefix: string;
  readonly replicas: number;
  readonly duplicateWindow: number;
  readonly timeout: number;
  readonly apiPrefix: string;
  readonly resubscribeDelay: number;
  readonly limits: AppendLimits;
  readonly logger: Logger;
}

const STREAM_NAME = /^[A-Za-z0-9_-]{1,28}$/;

/**
 * Checks the name of a store's JetStream stream: 1 to 28 letters, digits, `_`
 * and `-` (its id index is `<stream>_IDS`, within JetStream's limits).
 *
 * @throws {ValidationError} naming `path` for anything else
 * @example
 * ```ts
 * import { validateStreamName } from "./store_options.ts";
 * validateStreamName("SHOP"); // "SHOP"
 * ```
 */
export function validateStreamName(name: unknown, path = "options.stream"): string {
  if (typeof name !== "string" || !STREAM_NAME.test(name)) {
    throw new ValidationError(path, name, "a stream name is 1 to 28 letters, digits, _ and -");
  }
  return name;
}

function positive(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(path, value, "must be a positive number of milliseconds");
  }
  return value;
}

/**
 * Checks the options and fills in the defaults.
 *
 * @throws {ValidationError} naming the option that is wrong (an unknown key too)
 * @example
 * ```ts
 * import { validateNatsStoreOptions } from "./store_options.ts";
 * validateNatsStoreOptions({ headers: () => ({}) as never }).indexStream; // "ORDO_IDS"
 * ```
 */
export function validateNatsStoreOptions(options: CreateNatsStoreOptions): CheckedNatsStoreOptions {
  checkOptions(options, NATS_STORE_OPTION_KEYS);
  const stream = validateStreamName(options.stream ?? "ORDO");
  const replicas = options.replicas ?? 1;
  if (![1, 2, 3, 4, 5].includes(replicas)) {
    throw new ValidationError("options.replicas", replicas, "JetStream keeps 1 to 5 replicas");
  }
  const maxBatch = options.maxBatchSize;
  if (
    maxBatch !== undefined &&
    (!Number.isSafeInteger(maxBatch) || maxBatch < 1 || maxBatch > POSITIONS_PER_SEQUENCE)
  ) {
    throw new ValidationError(
      "options.maxBatchSize",
      maxBatch,
      `on NATS an append holds 1 to ${POSITIONS_PER_SEQUENCE} messages`,
    );
  }
  return {
    stream,
    indexStream: `${stream}_IDS`,
    subjectPrefix: validateSubjectPrefix(options.subjectPrefix ?? "ordo"),
    replicas,
    duplicateWindow: positive(options.duplicateWindow, "options.duplicateWindow", 120_000),
    timeout: positive(options.timeout, "options.timeout", 5000),
    apiPrefix: options.apiPrefix ?? "$JS.API",
    resubscribeDelay: positive(options.resubscribeDelay, "options.resubscribeDelay", 1000),
    limits: { maxBatchSize: maxBatch, maxMessageSize: options.maxMessageSize },
    logger: checkLogger(options.logger, "options.logger", consoleLogger),
  };
}

const MS = 1_000_000;

/**
 * The two streams a store uses: the messages (file storage, nothing deleted
 * or purged) and the id index (one entry per subject).
 *
 * @example
 * ```ts
 * import { storeStreams, validateNatsStoreOptions } from "./store_options.ts";
 * storeStreams(validateNatsStoreOptions({ headers: () => ({}) as never }))[0].subjects; // ["ordo.>"]
 * ```
 */
export function storeStreams(options: CheckedNatsStoreOptions): [StreamConfig, StreamConfig] {
  return [
    {
      name: options.stream,
      subjects: [`${options.subjectPrefix}.>`],
      storage: "file",
      retention: "limits",
      num_replicas: options.replicas,
      duplicate_window: options.duplicateWindow * MS,
      discard: "old",
      deny_delete: true,
      deny_purge: true,
    },
    {
      name: options.indexStream,
      subjects: [`${options.subjectPrefix}_ids.>`],
      storage: "file",
      retention: "limits",
      num_replicas: options.replicas,
      max_msgs_per_subject: 1,
      discard: "old",
    },
  ];
}
