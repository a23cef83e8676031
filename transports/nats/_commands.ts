// Commands on the NATS transport. A command is published to the work-queue
// stream (subject `<prefix>.cmd.<name>.<key>`, `Nats-Msg-Id` = its id) and
// taken by exactly one process's handler (one durable consumer per command
// name, shared). Its outcome is kept by id in the ledger bucket, which
// deduplicates with no time limit (a repeated id is not stored again, and a
// redelivered command whose outcome is recorded is not handled again), and
// published on `<prefix>.reply.<id>` for senders waiting on it.

import {
  type CommandEndpoint,
  type CommandEnvelope,
  commandStream,
  type HandlerOptions,
  type Registration,
  reportedResultAsJson,
  type SendReceipt,
  type TransportCallOptions,
} from "../../core/messaging/mod.ts";
import {
  IdempotencyConflictError,
  type JsonValue,
  type RecordedMessage,
  StoreUnavailableError,
  ValidationError,
} from "../../core/mod.ts";
import {
  type JetStreamApi,
  JetStreamApiFailure,
  type KvBucket,
  type PulledMessage,
  type Puller,
  translateError,
} from "../../stores/nats/jetstream/mod.ts";
import { maxPayload, oversizedAnswer } from "./_answer_size.ts";
import { deliverWithRetries } from "./_deliver.ts";
import { fingerprint } from "./_fingerprint.ts";
import { type HandlerLoopParts, runHandlerLoop } from "./_handler_loop.ts";
import { busSubjects, type CheckedTransportOptions, durableName } from "./_options.ts";
import {
  type CommandWire,
  commandWire,
  fromBytes,
  type Outcome,
  receivedCommand,
  toBytes,
  unpackOutcome,
  type WireError,
  wireError,
} from "./_wire.ts";

/** What the command side needs of its transport. */
export interface CommandContext {
  readonly api: JetStreamApi;
  readonly puller: Puller;
  readonly ledger: KvBucket;
  readonly options: CheckedTransportOptions;
  /** Aborted when the connection closed for good. */
  readonly lost: AbortSignal;
}

// JetStream's "maximum messages exceeded": the queue is full (discard new).
const QUEUE_FULL = 10077;

/** Sends a command; resolves once it is on the queue (or already was). */
export async function sendCommand(
  context: CommandContext,
  command: CommandEnvelope,
  operation = `send "${command.type}"`,
): Promise<SendReceipt> {
  const { api, ledger, options } = context;
  const print = await fingerprint(command.type, command.data);
  const subject = busSubjects(options.prefix).command(command.type, command.key);
  const wire = toBytes(commandWire(command));
  checkSize(api, subject, wire, operation);
  try {
    const known = await readOutcome(ledger, command.id, operation);
    if (known !== undefined) {
      refuseConflict(known, print, command);
      return { id: command.id, deduplicated: true };
    }
    const ack = await api.publish(subject, wire, { msgId: command.id });
    if (ack.duplicate) {
      const first = await readOutcome(ledger, command.id, operation);
      if (first !== undefined) refuseConflict(first, print, command);
    } else {
      const accepted: Outcome = { s: "accepted", f: print };
      await ledger.update(command.id, JSON.stringify(accepted), 0);
    }
    return { id: command.id, deduplicated: ack.duplicate };
  } catch (error) {
    if (error instanceof JetStreamApiFailure && error.errCode === QUEUE_FULL) {
      throw new StoreUnavailableError(
        `send "${command.type}"`,
        `the command queue is full (${options.maxQueuedCommands} commands wait): retry when handlers have caught up`,
        { cause: error },
      );
    }
    throw translateError(error, operation);
  }
}

// The client refuses a message over the server's max_payload with an error of
// its own; ordo says what and why, as the store does for an append too large.
function checkSize(api: JetStreamApi, subject: string, wire: Uint8Array, operation: string): void {
  const max = maxPayload(api.driver.connection);
  // The subject and the Nats-Msg-Id header travel with it: well under 512 bytes more.
  const size = wire.length + subject.length + 512;
  if (size <= max) return;
  throw new ValidationError(
    "command",
    `${size} bytes`,
    `${operation} sends the command as one NATS message, and the server takes at most ${max} bytes (its max_payload): send less data (a reference to it), or raise max_payload`,
  );
}

/** Sends a command and resolves with its handler's outcome (the recorded one for a repeated id). */
export async function sendAndWaitCommand(
  context: CommandContext,
  command: CommandEnvelope,
  call?: TransportCallOptions,
): Promise<unknown> {
  const { ledger, options } = context;
  const operation = `sendAndWait "${command.type}"`;
  const connection = context.api.driver.connection;
  let settle!: (outcome: Outcome) => void;
  const replied = new Promise<Outcome>((resolve) => (settle = resolve));
  // Listen before looking at the ledger: an outcome recorded after the look is also published.
  const replies = connection.subscribe(busSubjects(options.prefix).reply(command.id), {
    callback: (error, msg) => {
      const outcome = error === null ? fromBytes<Outcome>(msg.data) : undefined;
      if (outcome !== undefined && outcome.s !== "accepted") settle(outcome);
    },
  });
  const signal = call?.signal;
  const onAbort = () => settle({ s: "failed", e: { name: "AbortError", message: "aborted" } });
  try {
    const known = await readOutcome(ledger, command.id, operation);
    if (known !== undefined) {
      refuseConflict(known, await fingerprint(command.type, command.data), command);
    }
    if (known !== undefined && known.s !== "accepted") return unpackOutcome(known);
    if (known === undefined) await sendCommand(context, command, operation);
    signal?.throwIfAborted();
    signal?.addEventListener("abort", onAbort, { once: true });
    const outcome = await replied;
    signal?.throwIfAborted();
    return unpackOutcome(outcome);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    replies.unsubscribe();
  }
}

// An id already in the ledger for a command with another type or other data.
function refuseConflict(known: Outcome, print: string, command: CommandEnvelope): void {
  if (known.f !== undefined && known.f !== print) {
    throw new IdempotencyConflictError(command.id, command.type);
  }
}

async function readOutcome(
  ledger: KvBucket,
  id: string,
  operation: string,
): Promise<Outcome | undefined> {
  try {
    const entry = await ledger.get(id);
    return entry === undefined ? undefined : JSON.parse(entry.value) as Outcome;
  } catch (error) {
    throw translateError(error, operation);
  }
}

/** Runs `handler` for command `name`; one durable consumer per name, shared by every process. */
export function handleCommands(
  context: CommandContext,
  name: string,
  handler: CommandEndpoint,
  handlerOptions: HandlerOptions,
): Registration {
  const group = `ordo:command:${name}`;
  const { options } = context;
  return runHandlerLoop(context, {
    group,
    stream: options.commandStream,
    durable: durableName("cmd", name),
    filter: busSubjects(options.prefix).commandsOf(name),
    handler,
    handlerOptions,
    // The sender's work: by default each attempt's span is the sender's child.
    continueTrace: true,
  }, (message, parts) => handleOne(context, message, group, parts));
}

async function handleOne(
  context: CommandContext,
  message: PulledMessage,
  group: string,
  how: HandlerLoopParts,
): Promise<void> {
  const { ledger, options } = context;
  const wire = fromBytes<CommandWire>(message.data);
  if (wire === undefined) return; // not a command: acknowledged and dropped
  const reply = (outcome: Outcome) =>
    context.api.driver.connection.publish(
      busSubjects(options.prefix).reply(wire.id),
      toBytes(outcome),
    );
  const print = await fingerprint(wire.type, wire.data);
  const known = await readOutcome(ledger, wire.id, `handle command "${wire.type}"`);
  // Another command that reached the queue under a used id (its send raced the first's): dropped.
  if (known?.f !== undefined && known.f !== print) return;
  if (known !== undefined && known.s !== "accepted") return reply(known); // handled before a crash
  const streamName = commandStream(wire.type, wire.key);
  const recorded: RecordedMessage = {
    id: wire.id,
    type: wire.type,
    data: wire.data as JsonValue,
    metadata: { timestamp: new Date().toISOString(), ...wire.metadata },
    streamName,
    streamVersion: 0,
    globalPosition: BigInt(message.seq),
  };
  let outcome: Outcome | undefined;
  let lastError: WireError | undefined;
  await deliverWithRetries({
    group,
    message: recorded,
    retry: how.retry,
    signal: how.signal,
    onError: how.onError,
    logger: how.logger,
    attempt: async (attempt) => {
      let result: unknown;
      try {
        result = await how.handler(receivedCommand(wire, streamName), {
          idempotencyKey: wire.id,
          attempt,
          group,
          tx: undefined,
        });
      } catch (error) {
        lastError = wireError(error); // the parked entry keeps only name and message
        throw error;
      }
      outcome = resultOutcome(result, wire, group, print, how);
    },
    park: async (entry) => {
      await options.storage?.parked.park(entry);
      how.handlerOptions.onParked?.(entry);
      outcome = {
        s: "failed",
        e: lastError ?? { name: entry.error.name, message: entry.error.message },
        f: print,
      };
    },
  });
  const sent = fittingOutcome(context, outcome!, wire, group, print, how);
  await ledger.put(wire.id, JSON.stringify(sent));
  reply(sent);
}

// An outcome too large for one NATS message could be neither recorded nor
// replied: the command would be delivered again and its handler run again.
// Its work is done, so the sender gets the refusal instead, and it is logged
// here, where the handler ran.
function fittingOutcome(
  context: CommandContext,
  outcome: Outcome,
  wire: CommandWire,
  group: string,
  print: string,
  how: HandlerLoopParts,
): Outcome {
  const connection = context.api.driver.connection;
  const error = oversizedAnswer(connection, toBytes(outcome), `sendAndWait "${wire.type}"`);
  if (error === undefined) return outcome;
  how.logger.error("Handler result is too large for NATS", { group, messageId: wire.id, error });
  how.onError(error);
  return { s: "failed", e: wireError(error), f: print };
}

// The handler ran and its effects are done, so a result that JSON cannot carry
// is not retried (that would run it again): it is logged, and the sender gets
// the refusal as the command's outcome.
function resultOutcome(
  result: unknown,
  wire: CommandWire,
  group: string,
  print: string,
  how: HandlerLoopParts,
): Outcome {
  const logger = how.logger;
  const operation = `sendAndWait "${wire.type}"`;
  try {
    const r = reportedResultAsJson(result, operation, logger, { group, messageId: wire.id });
    return { s: "done", r, f: print };
  } catch (error) {
    how.onError(error);
    return { s: "failed", e: wireError(error), f: print };
  }
}
