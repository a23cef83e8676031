// The client's Server-Sent Events reader ends when its signal aborts, even
// when the body itself neither ends nor errors: undici now and then leaves a
// fetch body's read pending after the fetch's abort, and a subscription's
// stop() (and the transport's close()) then waited forever.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readSse } from "../../transports/http/client/_sse_reader.ts";

const encoder = new TextEncoder();

/** A body that sends `text` and then stays open: no end, no error, whatever happens. */
function openBody(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(text));
    },
  });
}

/** Resolves with what `promise` settled with, or "pending" after `ms`. */
function within<T>(promise: Promise<T>, ms = 1_000): Promise<T | "pending"> {
  return Promise.race([promise, new Promise<"pending">((r) => setTimeout(() => r("pending"), ms))]);
}

describe("readSse()", () => {
  it("yields the frames that arrived, then ends when its signal aborts, with a read pending", async () => {
    const controller = new AbortController();
    const frames = readSse(
      openBody("id: 1\ndata: a\n\nevent: ready\ndata:\n\n"),
      controller.signal,
    );
    assert.deepEqual((await frames.next()).value, { event: "message", data: "a", id: "1" });
    assert.equal((await frames.next()).value?.event, "ready");
    const next = frames.next(); // waits for bytes that never come
    controller.abort();
    assert.deepEqual(await within(next), { done: true, value: undefined });
  });

  it("ends at once when its signal was aborted before the first read", async () => {
    const controller = new AbortController();
    controller.abort();
    const frames = readSse(openBody(": comment\n"), controller.signal);
    assert.deepEqual(await within(frames.next()), { done: true, value: undefined });
  });
});
