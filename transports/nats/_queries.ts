// Queries on the NATS transport: core NATS request/reply, stored nowhere. A
// handler subscribes to `<prefix>.q.<name>` in a queue group, so one process
// of those handling a name answers each request; the caller's request times
// out at the call's deadline, which the request carries to the answering
// process as the milliseconds left (_deadline.ts). The caller's trace context travels
// in the request's headers; the handler is called through the transport's
// QueryRegistry, which makes its `process` span the caller's child.

import {
  type QueryEnvelope,
  type QueryRegistry,
  type Registration,
  reportedResultAsJson,
  type TransportCallOptions,
  unknownQueryError,
} from "../../core/messaging/mod.ts";
import { type Logger, TimeoutError, ValidationError } from "../../core/mod.ts";
import type { NatsConnection } from "@nats-io/nats-core";
import { type HeadersFactory, translateError } from "../../stores/nats/jetstream/mod.ts";
import { maxPayload, oversizedAnswer } from "./_answer_size.ts";
import { busSubjects } from "./_options.ts";
import { deadlineSignal, millisecondsLeft, receivedDeadline, WAIT_HEADER } from "./_deadline.ts";
import { traceFromHeaders, traceHeaders } from "./_trace_headers.ts";
import { fromBytes, type QueryAnswer, rebuiltError, toBytes, wireError } from "./_wire.ts";

// A request's own limit when the caller gave no deadline.
const REQUEST_TIMEOUT = 60_000;

/** Calls a query's handler, wherever it runs, and resolves with its answer. */
export async function callQuery(
  connection: NatsConnection,
  how: { readonly prefix: string; readonly headers: HeadersFactory },
  query: QueryEnvelope,
  call?: TransportCallOptions,
): Promise<unknown> {
  const signal = call?.signal;
  signal?.throwIfAborted();
  const payload = toBytes(query.payload ?? null);
  // The client refuses a message over the server's max_payload with an error of its own.
  const max = maxPayload(connection);
  if (payload.length + 512 > max) {
    throw new ValidationError(
      "query.payload",
      `${payload.length} bytes`,
      `query "${query.name}" is sent as one NATS message, and the server takes at most ${max} bytes (its max_payload)`,
    );
  }
  // The request ends at the caller's deadline, and tells the answering
  // process how long it is waited for (_deadline.ts).
  const left = millisecondsLeft(call?.deadline);
  if (left === 0) throw new TimeoutError(`query "${query.name}"`, 0);
  let headers = traceHeaders(query.trace, how.headers);
  if (left !== undefined) {
    headers ??= how.headers();
    headers.set(WAIT_HEADER, String(left));
  }
  const request = connection.request(
    busSubjects(how.prefix).query(query.name),
    payload,
    { timeout: left ?? REQUEST_TIMEOUT, headers },
  );
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  let reply: Awaited<typeof request>;
  try {
    reply = await Promise.race([request, aborted]);
  } catch (error) {
    if (isNoResponders(error)) throw unknownQueryError(query.name);
    // Its timeout is the caller's deadline: said as the deadline, as the bus
    // says it, not as a server that did not answer (its signal may fire second).
    if (left !== undefined && (error as { name?: unknown })?.name === "TimeoutError") {
      throw new TimeoutError(`query "${query.name}"`, left, { cause: error });
    }
    throw translateError(error, `query "${query.name}"`);
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    request.catch(() => {});
  }
  const answer = fromBytes<QueryAnswer>(reply.data);
  if (answer === undefined) throw new Error(`Query "${query.name}" got an empty answer`);
  if (answer.ok) return answer.r;
  throw rebuiltError(answer.e);
}

function isNoResponders(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === "NoResponders" ||
    (name === "RequestError" && typeof message === "string" && /no responders/i.test(message));
}

/**
 * Answers query `name` in this process with its handler in `queries`; the
 * registration's `ready` waits for the server to know, and its `stop`
 * unsubscribes, then waits for the requests in hand to be answered (a close
 * lets the queries running finish, as it does a command's handler).
 */
export function answerQueries(
  connection: NatsConnection,
  prefix: string,
  name: string,
  queries: QueryRegistry,
  logger: Logger,
): Registration {
  const answering = new Set<Promise<void>>();
  const subscription = connection.subscribe(busSubjects(prefix).query(name), {
    queue: `${prefix}.q`,
    callback: (error, msg) => {
      if (error !== null) return;
      const answered = (async () => {
        let answer: QueryAnswer;
        // The caller's deadline, when it sent one: a query whose caller has
        // given up is not started, and one whose handler outlives it is no
        // longer waited for (stop() and close() with it); the handler runs to
        // its end unheard, as in-process.
        const deadline = receivedDeadline(msg.headers);
        const timer = deadlineSignal(deadline, `answer query "${name}"`);
        try {
          if (timer?.signal.aborted || (deadline !== undefined && deadline <= Date.now())) {
            logger.warn("Query not handled: its caller had given up", { query: name });
            throw new TimeoutError(`answer query "${name}"`, 0);
          }
          const result = await queries.dispatch({
            name,
            payload: fromBytes(msg.data) ?? null,
            trace: traceFromHeaders(msg.headers),
          }, timer === undefined ? undefined : { signal: timer.signal, deadline });
          answer = {
            ok: true,
            r: reportedResultAsJson(result, `query "${name}"`, logger),
          };
        } catch (failure) {
          if (timer?.signal.aborted && failure === timer.signal.reason) {
            logger.warn("Query handler outlived its caller's deadline", { query: name });
          }
          answer = { ok: false, e: wireError(failure) };
        } finally {
          timer?.clear();
        }
        let bytes = toBytes(answer);
        // Sent as it is, an answer over max_payload is refused and the caller times out.
        const tooLarge = oversizedAnswer(connection, bytes, `query "${name}"`);
        if (tooLarge !== undefined) {
          logger.error("Handler result is too large for NATS", { query: name, error: tooLarge });
          bytes = toBytes({ ok: false, e: wireError(tooLarge) } satisfies QueryAnswer);
        }
        try {
          msg.respond(bytes);
        } catch (failure) {
          // A connection closed meanwhile: the caller is told by its own connection, or times out.
          logger.error("Query answer could not be sent", { query: name, error: failure });
        }
      })();
      answering.add(answered);
      void answered.finally(() => answering.delete(answered));
    },
  });
  return {
    ready: connection.flush().catch(() => {}),
    stop: async () => {
      subscription.unsubscribe();
      await Promise.all(answering);
    },
  };
}
