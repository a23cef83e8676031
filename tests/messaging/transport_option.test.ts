// Where a transport or a handler belongs, the wrong thing is refused when
// the server or bus is made, not at its first call: a bus given as a
// transport (the bus is what the user holds; its methods have the same
// names), a factory not called, createHttpHandler itself given to the node
// adapter. And a Web handler that throws behind the node adapter is logged,
// not only answered with a bare 500.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createHttpHandler } from "../../transports/http/mod.ts";
import { createNodeRequestListener } from "../../transports/http/server/node_adapter.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { startHttpServer } from "./_http_fixture.ts";

const auth = { bearer: "s3cret-0123456789" };

describe("a transport option", () => {
  it("createHttpHandler() and createBus() refuse a bus, saying to pass its transport", async () => {
    const transport = createInProcessTransport();
    const bus = createBus({ transport });
    const refused = (e: unknown) =>
      e instanceof ValidationError && e.path === "options.transport" &&
      /expected a transport \(createInProcessTransport\(\), .*got a bus: pass the transport the bus was made with/
        .test(e.message);
    assert.throws(() => createHttpHandler({ transport: bus as never, auth }), refused);
    assert.throws(() => createBus({ transport: bus as never }), refused);
    await bus.close();
  });

  it("refuses a factory not called, and an object missing the port's methods, naming what is missing", () => {
    const makers = [
      (transport: unknown) => createHttpHandler({ transport: transport as never, auth }),
      (transport: unknown) => createBus({ transport: transport as never }),
    ];
    for (const make of makers) {
      assert.throws(
        () => make(createInProcessTransport),
        (e) =>
          e instanceof ValidationError && e.path === "options.transport" &&
          /got a function: call it \(createInProcessTransport\(…\)\)/.test(e.message),
      );
      assert.throws(
        () => make({ send: () => {} }),
        (e) =>
          e instanceof ValidationError && e.path === "options.transport" &&
          /has no sendAndWait, query, publish, handleCommand, handleQuery, subscribe, close/
            .test(e.message),
      );
    }
  });
});

describe("createNodeRequestListener()", () => {
  it("refuses undefined, an object without fetch, and createHttpHandler itself", () => {
    for (const handler of [undefined, null, {}, "handler"]) {
      assert.throws(
        () => createNodeRequestListener(handler as never),
        (e) =>
          e instanceof ValidationError && e.path === "handler" &&
          /expected a Web handler/.test(e.message),
        String(handler),
      );
    }
    assert.throws(
      () => createNodeRequestListener(createHttpHandler as never),
      (e) =>
        e instanceof ValidationError && e.path === "handler" &&
        /got createHttpHandler itself: pass the handler it returns/.test(e.message),
    );
  });

  it("logs a Web handler that throws or answers no Response, then answers 500", async () => {
    const lines: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void lines.push(args);
    const answers = [
      () => {
        throw new RangeError("handler bug");
      },
      () => undefined as unknown as Response,
    ];
    try {
      for (const answer of answers) {
        const server = await startHttpServer(answer);
        const response = await fetch(`${server.url}/anything`);
        assert.equal(response.status, 500);
        await response.body?.cancel();
        await server.close();
      }
    } finally {
      console.error = original;
    }
    const text = lines.map((line) => line.join(" "));
    assert.equal(text.length, 2, text.join("\n"));
    assert.match(text[0], /HTTP handler failed; answered 500.*RangeError: handler bug/);
    assert.match(text[1], /HTTP handler failed; answered 500.*answered undefined, not a Response/);
  });
});
