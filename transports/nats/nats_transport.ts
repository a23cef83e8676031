/**
 * The NATS transport: the `Transport` port over a NATS connection, for
 * services on different machines. Commands wait durably on a JetStream
 * work-queue stream and are deduplicated by id with no time limit (a ledger
 * bucket); queries are core NATS request/reply; events are appended to the
 * NATS store and delivered to each group by a durable consumer of its own.
 * The files beside this one do the work; docs/decisions/nats.md says why.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import {
  type CommandEndpoint,
  type CommandEnvelope,
  type EventEndpoint,
  type EventEnvelope,
  type EventSelector,
  type HandlerOptions,
  type PublishReceipt,
  type QueryEndpoint,
  type QueryEnvelope,
  QueryRegistry,
  type Registration,
  RunningRegistrations,
  type SendReceipt,
  type Transport,
  type TransportCallOptions,
} from "../../core/messaging/mod.ts";
import { ClosedError, CloseGate, settledOrAborted, type Telemetry } from "../../core/mod.ts";
import {
  type ConnectionOutages,
  ConnectionWatch,
  isClosedConnection,
  JetStreamApi,
  KvBucket,
  NATS_CONNECTION,
  Puller,
  replicasRefused,
  translateSetupError,
  validateDriver,
} from "../../stores/nats/jetstream/mod.ts";
import {
  type CommandContext,
  handleCommands,
  sendAndWaitCommand,
  sendCommand,
} from "./_commands.ts";
import { publishEvent, subscribeGroup } from "./_events.ts";
import {
  type CheckedTransportOptions,
  checkTransportOptions,
  commandStreamConfig,
  type CreateNatsTransportOptions,
} from "./_options.ts";
import { answerQueries, callQuery } from "./_queries.ts";
import { deadlineSignal } from "./_deadline.ts";

/** The NATS transport, and the set-up of its command stream and ledger. */
export interface NatsTransport extends Transport {
  /** Creates the command stream and the ledger bucket (or updates them). Safe from every process. */
  setup(): Promise<void>;
}

/**
 * Creates a transport over a NATS connection. Events go through `options.store`;
 * call `setup()` once (any process) for the command stream and ledger. The
 * caller owns the connection and the store.
 *
 * @throws {ValidationError} when `connection` is not a NATS connection or an option is not valid
 * @example
 * ```ts ignore
 * import { connect, headers } from "@nats-io/transport-node";
 * import { createBus } from "../../core/messaging/mod.ts";
 * import { createNatsStore } from "../../stores/nats/mod.ts";
 * import { createNatsTransport } from "./nats_transport.ts";
 * const nc = await connect();
 * const store = createNatsStore(nc, { headers });
 * const transport = createNatsTransport(nc, { headers, store });
 * await Promise.all([store.setup(), transport.setup()]);
 * const bus = createBus({ transport });
 * ```
 */
export function createNatsTransport(
  connection: NatsConnection,
  options: CreateNatsTransportOptions,
): NatsTransport {
  const driver = validateDriver(connection, options?.headers);
  return new NatsBusTransport(driver.connection, options.headers, checkTransportOptions(options));
}

class NatsBusTransport implements NatsTransport {
  readonly telemetry: Telemetry | undefined;
  readonly #connection: NatsConnection;
  readonly #headers: CreateNatsTransportOptions["headers"];
  readonly #options: CheckedTransportOptions;
  readonly #commands: CommandContext;
  /** The query handlers this process answers, called (and traced) through it. */
  readonly #queries: QueryRegistry;
  readonly #running = new RunningRegistrations();
  readonly #gate = new CloseGate("transport");
  // Aborted by close(): calls waiting for an answer stop waiting.
  readonly #closing = new AbortController();
  // Aborted when the connection closed for good: calls and handler loops end.
  readonly #lost = new AbortController();
  readonly #watch: ConnectionWatch;
  readonly #outages: ConnectionOutages;

  constructor(
    connection: NatsConnection,
    headers: CreateNatsTransportOptions["headers"],
    options: CheckedTransportOptions,
  ) {
    this.#connection = connection;
    this.#headers = headers;
    this.#options = options;
    this.telemetry = options.telemetry;
    this.#queries = new QueryRegistry(options.telemetry);
    const api = new JetStreamApi({ connection, headers }, {
      prefix: options.apiPrefix,
      timeout: options.timeout,
    });
    this.#commands = {
      api,
      puller: new Puller(api),
      ledger: new KvBucket(api, options.ledgerBucket),
      options,
      lost: this.#lost.signal,
    };
    this.#watch = new ConnectionWatch(connection, {
      component: "transport",
      closeFirst: "the bus (bus.close())",
      logger: options.logger,
      onClosed: () => this.#lost.abort(),
    });
    this.#outages = api.outages;
  }

  setup(): Promise<void> {
    return this.#gate.run("setup", async () => {
      try {
        await this.#commands.api.ensureStream(commandStreamConfig(this.#options));
        await this.#commands.ledger.setup({ replicas: this.#options.replicas });
      } catch (error) {
        const { prefix: value, replicas } = this.#options;
        const refused = replicasRefused(error, replicas);
        throw translateSetupError(refused, { path: "options.subjectPrefix", value });
      }
    });
  }

  send(command: CommandEnvelope): Promise<SendReceipt> {
    const operation = `send "${command.type}"`;
    return this.#gate.run(
      operation,
      () => this.#overConnection(operation, () => sendCommand(this.#commands, command)),
    );
  }

  sendAndWait(command: CommandEnvelope, options?: TransportCallOptions): Promise<unknown> {
    const operation = `sendAndWait "${command.type}"`;
    return this.#gate.run(
      operation,
      () =>
        this.#untilClosed(
          operation,
          options,
          (o) => sendAndWaitCommand(this.#commands, command, o),
        ),
    );
  }

  query(query: QueryEnvelope, options?: TransportCallOptions): Promise<unknown> {
    const operation = `query "${query.name}"`;
    return this.#gate.run(
      operation,
      () =>
        this.#untilClosed(
          operation,
          options,
          (o) =>
            callQuery(
              this.#connection,
              { prefix: this.#options.prefix, headers: this.#headers },
              query,
              o,
            ),
        ),
    );
  }

  publish(event: EventEnvelope): Promise<PublishReceipt> {
    const operation = `publish "${event.type}"`;
    return this.#gate.run(
      operation,
      () => this.#overConnection(operation, () => publishEvent(this.#commands, event)),
    );
  }

  // Every call over the connection: refused with ClosedError naming the
  // connection once it is closed for good. While the client reconnects a call
  // waits for it, within its deadline, as the client buffers what it sends:
  // failing at once made every attempt of a retrying call fail within
  // milliseconds, so the bus's breaker opened during a blip of a second and
  // then refused calls for its whole cool-down, after the server was back.
  async #overConnection<T>(operation: string, call: () => Promise<T>): Promise<T> {
    if (this.#watch.closed) throw this.#watch.closedError(operation);
    try {
      return await call();
    } catch (error) {
      if (this.#watch.closed || isClosedConnection(error) || closedConnection(error)) {
        throw this.#watch.closedError(operation, error);
      }
      throw error;
    }
  }

  // A call that waits for an answer, over the connection as above, stopped by
  // close() as by its own signal: it then rejects with ClosedError rather than
  // the abort's reason. A connection closed for good while it waits ends it too.
  #untilClosed<T>(
    operation: string,
    options: TransportCallOptions | undefined,
    call: (options: TransportCallOptions) => Promise<T>,
  ): Promise<T> {
    const closing = this.#closing.signal;
    return this.#overConnection(operation, async () => {
      const signals = [closing, this.#lost.signal];
      if (options?.signal !== undefined) signals.push(options.signal);
      // The deadline ends the wait by itself too: a caller that gives one and
      // no signal (an HTTP server's wait=<s>) waited for ever for a command.
      const timer = deadlineSignal(options?.deadline, operation);
      if (timer !== undefined) signals.push(timer.signal);
      const signal = AbortSignal.any(signals);
      try {
        return await settledOrAborted(call({ signal, deadline: options?.deadline }), signal);
      } catch (error) {
        if (closing.aborted) throw new ClosedError("transport", operation);
        throw error;
      } finally {
        timer?.clear();
      }
    });
  }

  // A call waits through a reconnect (the client buffers what it sends), so
  // one whose deadline passed meanwhile was most likely waiting for the
  // connection, not for a handler that is missing: the bus says so first.
  unansweredHint(since: number): string | undefined {
    const outage = this.#outages.during(since);
    if (outage === undefined) return undefined;
    const seconds = (outage.downMs / 1000).toFixed(1);
    return `the NATS connection to ${outage.server} was reconnecting during the wait (${seconds} s of it${
      outage.still ? ", and still is" : ""
    })`;
  }

  handleCommand(
    name: string,
    handler: CommandEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    this.#gate.ensureOpen(`handle command "${name}"`);
    return this.#running.track(handleCommands(this.#commands, name, handler, options));
  }

  handleQuery(name: string, handler: QueryEndpoint): Registration {
    this.#gate.ensureOpen(`handle query "${name}"`);
    // As a command or event handler's: `ready` rejects over a closed connection.
    if (this.#watch.closed) {
      const ready = Promise.reject(this.#watch.closedError(`handle query "${name}"`));
      ready.catch(() => {});
      return { ready, stop: async () => {} };
    }
    // Refuses a name already handled here before anything subscribes.
    const registered = this.#queries.register(name, handler);
    const answering = answerQueries(
      this.#connection,
      this.#options.prefix,
      name,
      this.#queries,
      this.#options.logger,
    );
    return this.#running.track({
      ready: answering.ready,
      stop: async () => {
        // No longer subscribed first, so no request finds the handler gone.
        await answering.stop();
        await registered.stop();
      },
    });
  }

  subscribe(
    group: string,
    selector: EventSelector,
    handler: EventEndpoint,
    options: HandlerOptions = {},
  ): Registration {
    this.#gate.ensureOpen(`subscribe group "${group}"`);
    return this.#running.track(subscribeGroup(this.#commands, group, selector, handler, options));
  }

  // Waits stop at once; the calls in flight settle (the gate waits for them),
  // then the handlers stop (after their message in progress, and the query
  // handlers after answering the requests they hold) and the
  // transport's consumers and subscriptions go (the connection stays the caller's).
  close(): Promise<void> {
    this.#closing.abort();
    this.#watch.stop();
    return this.#gate.close(async () => {
      await this.#running.stopAll();
      this.#commands.puller.close();
      this.#commands.ledger.close();
      this.#commands.api.close();
    });
  }
}

// The store's refusal over the closed connection (an event's append), named again as the bus call.
function closedConnection(error: unknown): boolean {
  return error instanceof ClosedError && error.component === NATS_CONNECTION;
}
