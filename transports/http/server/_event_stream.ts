// The server side of `GET /events/stream`: events as Server-Sent Events, each
// frame `id: <global position>` + `data: <event JSON>`, resumable from the
// client's `Last-Event-ID`. The server keeps no checkpoint: the client says
// where it is, and every connection is read from there.
//
// Two sources, one frame format (wire/event_frames.ts):
// - an `EventStore` (the `events` option; the store the inner transport
//   publishes to): pages read from the position after `Last-Event-ID`, then
//   `waitForAppend`. Nothing is written anywhere by a connection.
// - otherwise the inner transport's own `subscribe`, under a group made for
//   this connection alone, so it starts from the transport's beginning; events
//   at or below `Last-Event-ID` are skipped. In-process that is a walk of the
//   in-memory log; over a store-backed transport it is a consumer whose
//   checkpoint row stays behind (pass `events` there instead).
//
// Backpressure: a frame is written only when the response stream has room,
// so a slow client holds up its own subscription and nothing else.

import type { EventStore } from "../../../core/mod.ts";
import {
  type EventSelector,
  receivedFromStore,
  type Registration,
  type Transport,
} from "../../../core/messaging/mod.ts";
import { eventFrame, READY_FRAME } from "../wire/mod.ts";

const encoder = new TextEncoder();
const PAGE = 100;

/** Where an event stream reads from and what it sends. */
export interface EventStreamRequest {
  readonly group: string;
  readonly selector: EventSelector;
  /** The last position the client has: only later events are sent. */
  readonly after: bigint | undefined;
}

/** Options fixed per handler. */
export interface EventStreamSources {
  readonly transport: Transport;
  readonly events: EventStore | undefined;
  /** Milliseconds between keep-alive comments. */
  readonly heartbeat: number;
  readonly onError: (error: unknown) => void;
}

/** One open event stream: the response body and a way to end it from the server side. */
export class EventStreamChannel {
  readonly body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #room: (() => void) | undefined;
  #closed = false;
  readonly #onClose: (() => void)[] = [];

  constructor() {
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#wake(),
      cancel: () => this.close(),
    }, { highWaterMark: 16 });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes text; resolves once the stream has room for more, `false` when it is closed. */
  async write(text: string): Promise<boolean> {
    if (this.#closed) return false;
    this.#controller.enqueue(encoder.encode(text));
    if ((this.#controller.desiredSize ?? 1) <= 0) {
      await new Promise<void>((resolve) => (this.#room = resolve));
    }
    return !this.#closed;
  }

  /** Writes without waiting for room (keep-alive comments). */
  push(text: string): void {
    if (!this.#closed) this.#controller.enqueue(encoder.encode(text));
  }

  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#onClose.push(listener);
  }

  /** Ends the stream (the client sees a normal end and reconnects) and stops its source. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#controller.close();
    } catch {
      // Already cancelled by the client.
    }
    this.#wake();
    for (const listener of this.#onClose.splice(0)) listener();
  }

  #wake(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }
}

/** Opens the stream of `request` from the handler's source. */
export function openEventStream(
  sources: EventStreamSources,
  request: EventStreamRequest,
): EventStreamChannel {
  const channel = new EventStreamChannel();
  // A first comment at once, so the status and headers reach the client now, not with the first event.
  channel.push(": ordo event stream\n\n");
  const timer = setInterval(() => channel.push(":\n\n"), sources.heartbeat);
  channel.onClose(() => clearInterval(timer));
  if (sources.events !== undefined) {
    followStore(sources.events, request, channel).catch((error) => {
      sources.onError(error);
      channel.close();
    });
  } else {
    followTransport(sources.transport, request, channel, sources.onError);
  }
  return channel;
}

async function followStore(
  store: EventStore,
  request: EventStreamRequest,
  channel: EventStreamChannel,
): Promise<void> {
  const stopping = new AbortController();
  channel.onClose(() => stopping.abort());
  const selector = request.selector;
  const read = Array.isArray(selector)
    ? (from: bigint) => store.readPage({ from, limit: PAGE, types: selector })
    : (from: bigint) =>
      store.readPage({
        category: (selector as { readonly category: string }).category,
        from,
        limit: PAGE,
      });
  let from = request.after === undefined ? 0n : request.after + 1n;
  let caughtUp = false;
  while (!channel.closed) {
    // The head is read before the page: whatever is appended after the read is past it, so the wait sees it.
    const head = await store.headPosition();
    const page = await read(from);
    for (const message of page.messages) {
      if (!(await channel.write(eventFrame(receivedFromStore(message))))) return;
    }
    from = page.next;
    if (page.end) {
      if (!caughtUp) {
        caughtUp = true;
        if (!(await channel.write(READY_FRAME))) return;
      }
      const seen = from > head + 1n ? from - 1n : head;
      let more: boolean;
      try {
        more = await store.waitForAppend(seen, { signal: stopping.signal });
      } catch (error) {
        if (channel.closed) return;
        throw error;
      }
      // Without a timeout, `false` means the store closed: end the stream (the client reconnects elsewhere).
      if (!more) {
        channel.close();
        return;
      }
    }
  }
}

function followTransport(
  transport: Transport,
  request: EventStreamRequest,
  channel: EventStreamChannel,
  onError: (error: unknown) => void,
): void {
  const after = request.after;
  let registration: Registration;
  try {
    registration = transport.subscribe(
      `${request.group}@http-${crypto.randomUUID()}`,
      request.selector,
      async (event) => {
        if (
          after !== undefined && event.globalPosition !== undefined && event.globalPosition <= after
        ) return;
        await channel.write(eventFrame(event));
      },
      { onError },
    );
  } catch (error) {
    onError(error);
    channel.close();
    return;
  }
  channel.onClose(() => void registration.stop().catch(onError));
  registration.ready.then(() => channel.write(READY_FRAME), (error) => {
    onError(error);
    channel.close();
  });
}
