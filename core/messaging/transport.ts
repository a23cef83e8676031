/**
 * The `Transport` port: how a bus's messages reach their handlers. A
 * transport implements the four client calls and the three ways to register
 * a handler; the bus adds everything else (names, schemas, ids, timeouts,
 * retries, the circuit breaker), so a transport (in-process, store-backed,
 * HTTP) implements only these primitives. See docs/decisions/messaging.md.
 *
 * @module
 */

import type { RetryPolicy } from "../consumers/mod.ts";
import type { ParkedMessage } from "../consumers/mod.ts";
import type { Logger } from "../logger.ts";
import type { MessageMetadata } from "../message.ts";
import type { Telemetry, TraceContext } from "../telemetry/mod.ts";

/** A command as the bus hands it to a transport: validated, with its id and stream key chosen. */
export interface CommandEnvelope {
  /** The command's id, a lowercase UUID: sending it again must not deliver it again. */
  readonly id: string;
  /** The command's name (`users/lock`), stored as the message type. */
  readonly type: string;
  /** The command's data, already checked by its contract. */
  readonly data: unknown;
  /** Stream key: commands with one key are handled in order. Defaults to the id. */
  readonly key: string;
  /** The sender's metadata, for the handler. */
  readonly metadata: MessageMetadata;
}

/** An event as the bus hands it to a transport, with its stream chosen. */
export interface EventEnvelope {
  /** The event's id, a lowercase UUID: publishing it again must not deliver it again. */
  readonly id: string;
  /** The event's name (`orders/placed`), stored as the message type. */
  readonly type: string;
  /** The event's data, already checked by its contract. */
  readonly data: unknown;
  /** The stream to append it to, already checked. */
  readonly streamName: string;
  /** The publisher's metadata, for every subscriber. */
  readonly metadata: MessageMetadata;
}

/** A query as the bus hands it to a transport. */
export interface QueryEnvelope {
  /** The query's name (`orders/show`): it selects the handler. */
  readonly name: string;
  /** The query's payload, already checked by its contract. */
  readonly payload: unknown;
  /** The caller's trace context (queries carry no metadata); over HTTP, the `traceparent` header. */
  readonly trace?: TraceContext;
}

/** A command or event as a handler receives it. */
export interface ReceivedMessage<Type extends string = string, Data = unknown> {
  /** The message's id; a redelivery has the same one. */
  readonly id: string;
  /** Its name (`users/lock`, `orders/placed`). */
  readonly type: Type;
  /** Its data, as the name's contract produces it (or as sent, without one). */
  readonly data: Data;
  /** The sender's metadata. */
  readonly metadata: MessageMetadata;
  /** Where the transport stored it; absent when it stores nothing (in-process commands). */
  readonly streamName?: string;
  /** Its position in the store's global order; absent like `streamName`. */
  readonly globalPosition?: bigint;
}

/** What a command or event handler gets besides the message. */
export interface DeliveryContext {
  /** The message id: pass it as the idempotency key of calls to other systems. */
  readonly idempotencyKey: string;
  /** 1 on first delivery, 2 on the first retry, and so on. */
  readonly attempt: number;
  /** The consumer group delivering the message. */
  readonly group: string;
  /**
   * The consumer storage's transaction when the transport runs on consumers
   * (store-backed): writes through it commit with the checkpoint. `undefined` in-process.
   */
  readonly tx: unknown;
  /**
   * The context of the handler call's span, when the transport has
   * telemetry: pass it as `trace` to the bus calls and appends the handler
   * makes, so they join the trace.
   */
  readonly trace?: TraceContext;
}

/** What a query handler gets besides the payload. */
export interface QueryContext {
  /** The query's name (`orders/show`), as called. */
  readonly name: string;
  /** The context of the handler call's span (or the caller's, without telemetry); pass it on as `trace`. */
  readonly trace?: TraceContext;
}

/** A command handler as a transport sees it: resolves the reply. */
export type CommandEndpoint = (command: ReceivedMessage, context: DeliveryContext) => unknown;
/** A query handler as a transport sees it. */
export type QueryEndpoint = (payload: unknown, context: QueryContext) => unknown;
/** An event handler as a transport sees it. */
export type EventEndpoint = (event: ReceivedMessage, context: DeliveryContext) => unknown;

/** Which events a subscription gets: these names (from any stream), or every event of a stream category. */
export type EventSelector = readonly string[] | { readonly category: string };

/** Options of {@link Transport.subscribe} and {@link Transport.handleCommand}. */
export interface HandlerOptions {
  /** How a failing handler is retried before its message is parked. */
  readonly retry?: RetryPolicy;
  /** A message was parked after its last attempt. */
  readonly onParked?: (entry: ParkedMessage) => void;
  /** A handler failure (to be retried or parked) or a transport failure; each is logged as well. */
  readonly onError?: (error: unknown) => void;
  /**
   * Whether each handler call's span is the child of the sender's span (it
   * always links to it). Default: `true` for commands, `false` for events
   * (a new trace per delivery); `true` for an event handler that is part of
   * the request that published the event.
   */
  readonly continueTrace?: boolean;
  /** Where this handler's failures and parked messages are logged. Default: the transport's logger. */
  readonly logger?: Logger;
}

/** A registered handler. */
export interface Registration {
  /**
   * Resolves once the handler has caught up with what was already waiting for
   * it. Rejects when the transport was refused for good and the handler has
   * stopped (over HTTP: a 401, 403 or 404 for the event stream).
   */
  readonly ready: Promise<void>;
  /** Stops handling; a message in progress finishes first. */
  stop(): Promise<void>;
}

/** What `send` resolves with once the command is durable (as durable as the transport gets). */
export interface SendReceipt {
  /** The command's id, given or generated. */
  readonly id: string;
  /** True when this id was already accepted: nothing new was stored and the handler will not run again. */
  readonly deduplicated: boolean;
  /** The command's stream, when the transport stores commands. */
  readonly streamName?: string;
  /** The command's position in the store's global order, when stored and known. */
  readonly globalPosition?: bigint;
}

/** What `publish` resolves with once the event is stored. */
export interface PublishReceipt {
  /** The event's id, given or generated. */
  readonly id: string;
  /** The stream it was appended to. */
  readonly streamName: string;
  /** True when this id was already published: nothing new was stored or delivered. */
  readonly deduplicated: boolean;
  /** The event's position in the store's global order, when known. */
  readonly globalPosition?: bigint;
}

/** Options of the client calls of a transport. */
export interface TransportCallOptions {
  /**
   * Aborts when the bus's deadline passes or its caller aborts; the transport
   * should stop waiting then, and reject with the signal's reason. What it
   * started (a handler that takes no signal) may run to its end; its result
   * is dropped, or kept for the command's id as a repeat's answer.
   */
  readonly signal?: AbortSignal;
  /**
   * Clock time (`Date.now()`, in milliseconds) by which the bus stops waiting
   * for the call, its retries included; absent or `Infinity` for none. A
   * transport that asks another party to wait passes it on, so that party
   * stops waiting too when nothing tells it the caller left (the HTTP
   * client's `Prefer: wait=<seconds>`, behind a proxy that keeps the
   * server's side of the connection open).
   */
  readonly deadline?: number;
}

/**
 * How messages travel. Client calls may reject with a retryable ordo error
 * (`PeerUnreachableError`, `StoreUnavailableError`, `TimeoutError`) when the
 * other side cannot be reached or did not answer (the bus retries those), and
 * with the handler's error or an ordo refusal (`ValidationError`,
 * `NotFoundError`, `IdempotencyConflictError`, …) when it was reached and said no.
 *
 * Guarantees a transport keeps: `send` and `publish` of an id already
 * accepted do not deliver it again; a command reaches one handler; every
 * subscribed group gets every matching event, in publish order per stream.
 */
export interface Transport {
  /**
   * Where the transport reports spans and metrics, when it has telemetry (its
   * own, or its store's). A bus over it inherits it unless given its own.
   */
  readonly telemetry?: Telemetry;

  /**
   * Where the transport reports what happens (a handler failure, a parked
   * message, a lost connection), one line per event. A bus over it inherits
   * it unless given its own.
   */
  readonly logger?: Logger;
  /** Accepts a command durably; the handler runs later. */
  send(command: CommandEnvelope, options?: TransportCallOptions): Promise<SendReceipt>;
  /** Accepts a command and resolves with its handler's result (the same result for a repeated id). */
  sendAndWait(command: CommandEnvelope, options?: TransportCallOptions): Promise<unknown>;
  /** Calls the query's handler and resolves with its answer; nothing is stored. */
  query(query: QueryEnvelope, options?: TransportCallOptions): Promise<unknown>;
  /** Appends an event to its stream. */
  publish(event: EventEnvelope, options?: TransportCallOptions): Promise<PublishReceipt>;
  /** Registers the handler of a command name; what it returns is the reply `sendAndWait` resolves with. */
  handleCommand(name: string, handler: CommandEndpoint, options?: HandlerOptions): Registration;
  /** Registers the handler of a query name; a query nobody handles rejects (`unknownQueryError`). */
  handleQuery(name: string, handler: QueryEndpoint): Registration;
  /** Subscribes `group` to the selected events; every group gets every matching event at its own pace. */
  subscribe(
    group: string,
    selector: EventSelector,
    handler: EventEndpoint,
    options?: HandlerOptions,
  ): Registration;
  /**
   * Stops every handler (each finishes the message in progress) and releases
   * what the transport holds. Idempotent; every call after it rejects (or, for
   * the registrations, throws) `ClosedError`. Handler calls not held by a loop
   * of the transport's (a query's) it need not wait for: the bus counts every
   * handler call and waits, after this resolves, for those still running.
   */
  close(): Promise<void>;
  /**
   * Whether a handler of this command or query name is registered with this
   * transport. Optional: a transport that cannot tell (its handlers may run
   * in other processes) leaves it out. The HTTP handler answers 404 for a
   * name its transport says it does not handle.
   */
  handles?(kind: "command" | "query", name: string): boolean;
  /**
   * The command or query names whose handlers are registered with this
   * transport. Optional, as `handles`: the HTTP handler names the nearest of
   * them (those the caller may use) when it answers 404 for a name.
   */
  handledNames?(kind: "command" | "query"): readonly string[];
  /**
   * What the transport knows of why a call that waited from `since`
   * (milliseconds since the epoch) until now got no answer: its connection
   * was down for part of the wait ("the NATS connection to n1:4222 was
   * reconnecting during the wait"). `undefined` when it knows of nothing.
   * Optional: the bus puts it first in the hint of a `sendAndWait` whose
   * deadline passed, before asking whether a handler is registered.
   */
  unansweredHint?(since: number): string | undefined;
}
