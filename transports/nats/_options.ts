// Options of the NATS transport, their defaults, and the JetStream pieces they describe.
import {
  type CheckedRetryPolicy,
  checkLogger,
  checkOptions,
  checkRetryPolicy,
  consoleLogger,
  type ConsumerStorage,
  inheritedTelemetry,
  type Logger,
  type RetryPolicy,
  type Telemetry,
  ValidationError,
} from "../../core/mod.ts";
import { type NatsEventStore } from "../../stores/nats/mod.ts";
import {
  type HeadersFactory,
  type StreamConfig,
  toToken,
  validateBucket,
  validateSubjectPrefix,
} from "../../stores/nats/jetstream/mod.ts";

/** Options of {@link createNatsTransport}. */
export interface CreateNatsTransportOptions {
  /** The headers factory of the caller's `@nats-io` package (`headers` of `@nats-io/transport-node`). */
  readonly headers: HeadersFactory;
  /** The NATS store events are appended to and read from. */
  readonly store: NatsEventStore;
  /** Where parked messages are kept (e.g. `createNatsConsumerStorage`); without it they are only reported. */
  readonly storage?: ConsumerStorage<unknown>;
  /** Commands, queries and replies use subjects under it. Default `"ordo_bus"`. */
  readonly subjectPrefix?: string;
  /** The work-queue stream commands wait on. Default `"ORDO_COMMANDS"`. */
  readonly commandStream?: string;
  /** The key-value bucket keeping each command's outcome by id. Default `"ordo_commands"`. */
  readonly ledgerBucket?: string;
  /** Replicas of the command stream and the ledger, made by `setup()`. Default 1. */
  readonly replicas?: number;
  /**
   * Backpressure for senders: once this many commands wait on the queue, `send`
   * fails with a retryable `StoreUnavailableError` until handlers catch up.
   * Default: no limit.
   */
  readonly maxQueuedCommands?: number;
  /**
   * Messages a handler's consumer may have unacknowledged. 1 (the default) keeps
   * each group's (and each command name's) messages in order across processes;
   * more is faster, and keeps order only while one process handles the group.
   */
  readonly maxAckPending?: number;
  /**
   * Milliseconds the server waits for an acknowledgement before delivering
   * again: how long a group stalls after a process died holding a message (or
   * a server was killed before it kept an ack). A handler that runs longer keeps
   * its message by telling the server it is working. Default 10000.
   */
  readonly ackWait?: number;
  /**
   * Milliseconds JetStream remembers a command id on the queue, set by `setup()`.
   * Default 120000. Deduplication does not depend on it (the ledger has no time limit).
   */
  readonly duplicateWindow?: number;
  /** Default retry policy of handlers; a handler's own options override it. */
  readonly retry?: RetryPolicy;
  /** Milliseconds to wait for each server answer. Default 5000. */
  readonly timeout?: number;
  /** The JetStream API prefix. Default `"$JS.API"`. */
  readonly apiPrefix?: string;
  /** Failures of the transport's own pulls and writes (they are retried). */
  readonly onError?: (error: unknown) => void;
  /**
   * Where handler failures, parked messages and failing pulls are reported,
   * one line per event (`onError` is told as well). Default: the store's
   * logger, else the console.
   */
  readonly logger?: Logger;
  /**
   * Where handler calls and queries report spans and metrics; a bus over the
   * transport inherits it. Calls carry their trace context with or without
   * it: commands and events in their metadata, queries in the `traceparent`
   * and `tracestate` headers of the request. Default: the store's (see
   * `EventStore.telemetry`).
   */
  readonly telemetry?: Telemetry;
}

/** Every key of {@link CreateNatsTransportOptions}: any other is refused. */
const OPTION_KEYS: readonly string[] = [
  "headers",
  "store",
  "storage",
  "subjectPrefix",
  "commandStream",
  "ledgerBucket",
  "replicas",
  "maxQueuedCommands",
  "maxAckPending",
  "ackWait",
  "duplicateWindow",
  "retry",
  "timeout",
  "apiPrefix",
  "onError",
  "logger",
  "telemetry",
];

/** The options, checked, with defaults. */
export interface CheckedTransportOptions {
  readonly store: NatsEventStore;
  readonly storage: ConsumerStorage<unknown> | undefined;
  readonly prefix: string;
  readonly commandStream: string;
  readonly ledgerBucket: string;
  readonly replicas: number;
  readonly maxQueuedCommands: number;
  readonly maxAckPending: number;
  readonly ackWait: number;
  readonly duplicateWindow: number;
  readonly retry: RetryPolicy | undefined;
  readonly loopRetry: CheckedRetryPolicy;
  readonly timeout: number;
  readonly apiPrefix: string;
  readonly onError: (error: unknown) => void;
  readonly logger: Logger;
  /** The transport's own, else the store's; `undefined` when that records nothing. */
  readonly telemetry: Telemetry | undefined;
}

function whole(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new ValidationError(path, value, "must be a whole number from 1");
  }
  return value as number;
}

/** Checks the options and fills in defaults. */
export function checkTransportOptions(
  options: CreateNatsTransportOptions,
): CheckedTransportOptions {
  checkOptions(options, OPTION_KEYS);
  const store = options.store;
  if (typeof store?.append !== "function" || typeof store.stream !== "string") {
    throw new ValidationError("options.store", store, "must be a NATS store (createNatsStore)");
  }
  const commandStream = options.commandStream ?? "ORDO_COMMANDS";
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(commandStream)) {
    throw new ValidationError(
      "options.commandStream",
      commandStream,
      "a stream name is 1 to 32 letters, digits, _ and -",
    );
  }
  checkRetryPolicy(options.retry);
  return {
    store,
    storage: options.storage,
    prefix: validateSubjectPrefix(options.subjectPrefix ?? "ordo_bus"),
    commandStream,
    ledgerBucket: validateBucket(options.ledgerBucket ?? "ordo_commands", "options.ledgerBucket"),
    replicas: whole(options.replicas, "options.replicas", 1),
    maxQueuedCommands: options.maxQueuedCommands === undefined
      ? -1
      : whole(options.maxQueuedCommands, "options.maxQueuedCommands", 1),
    maxAckPending: whole(options.maxAckPending, "options.maxAckPending", 1),
    ackWait: whole(options.ackWait, "options.ackWait", 10_000),
    duplicateWindow: whole(options.duplicateWindow, "options.duplicateWindow", 120_000),
    retry: options.retry,
    loopRetry: checkRetryPolicy({ initialDelay: 50, maxDelay: 2000 }),
    timeout: whole(options.timeout, "options.timeout", 5000),
    apiPrefix: options.apiPrefix ?? "$JS.API",
    onError: options.onError ?? (() => {}),
    logger: checkLogger(options.logger, "options.logger", store.logger ?? consoleLogger),
    telemetry: inheritedTelemetry(options.telemetry, store),
  };
}

/** The subjects of the transport's commands, queries and replies. */
export function busSubjects(prefix: string) {
  return {
    commands: `${prefix}.cmd.>`,
    command: (name: string, key: string) => `${prefix}.cmd.${toToken(name)}.${toToken(key)}`,
    commandsOf: (name: string) => `${prefix}.cmd.${toToken(name)}.*`,
    query: (name: string) => `${prefix}.q.${toToken(name)}`,
    reply: (id: string) => `${prefix}.reply.${id}`,
  };
}

/** The work-queue stream of commands. */
export function commandStreamConfig(o: CheckedTransportOptions): StreamConfig {
  return {
    name: o.commandStream,
    subjects: [`${o.prefix}.cmd.>`],
    storage: "file",
    retention: "workqueue",
    num_replicas: o.replicas,
    duplicate_window: o.duplicateWindow * 1_000_000,
    max_msgs: o.maxQueuedCommands,
    discard: "new",
  };
}

/** A durable consumer's name for a command name or an event group. */
export function durableName(kind: "cmd" | "evt", name: string): string {
  return `${kind}_${toToken(name)}`;
}
