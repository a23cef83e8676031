// The HTTP handler tells its onError of an event stream that failed, as it
// does of a request that failed: a hook that throws is logged ("onError hook
// threw"), and the stream still ends, so the client reconnects; the throw
// does not escape as an unhandled rejection with the stream left open.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type EventStore, silentLogger } from "../../core/mod.ts";
import { createMemoryStore } from "../../stores/memory/mod.ts";
import { createHttpHandler } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { keptLogger } from "../_kept_logger.ts";
import { ALL_EVENTS, TOKEN } from "./_http_fixture.ts";

/** A memory store whose head cannot be read: following it fails at once. */
function storeThatFails(): EventStore {
  const store = createMemoryStore({ logger: silentLogger });
  return new Proxy(store, {
    get(target, key) {
      if (key === "headPosition") return () => Promise.reject(new Error("the disk is gone"));
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The whole body, or a rejection once `ms` passed without its end. */
async function bodyWithin(response: Response, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the stream did not end within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([response.text(), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("HTTP event stream failure hooks", () => {
  it("an onError that throws at a failed event stream is logged, and the stream ends", async () => {
    const logger = keptLogger();
    const transport = createInProcessTransport({ logger: silentLogger });
    const handler = createHttpHandler({
      transport,
      auth: { bearer: TOKEN, allow: ALL_EVENTS },
      events: storeThatFails(),
      logger,
      onError: () => {
        throw new TypeError("the alerting hook is broken");
      },
    });
    try {
      const response = await handler.fetch(
        new Request("http://ordo.test/events/stream?group=audit&category=order", {
          headers: { authorization: `Bearer ${TOKEN}` },
        }),
      );
      assert.equal(response.status, 200);
      await bodyWithin(response, 5_000);
      assert.deepEqual(logger.lines, [
        "warn: HTTP event stream failed",
        "error: onError hook threw",
      ]);
      assert.equal(logger.fields[1].group, "audit");
      assert.match(String(logger.fields[1].error), /alerting hook is broken/);
    } finally {
      await handler.close();
      await transport.close();
    }
  });
});
