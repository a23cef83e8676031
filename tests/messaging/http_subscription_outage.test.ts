// An HTTP event subscription whose server stays away: it keeps reconnecting
// (the design), its `ready` waits for the first connection and rejects with
// ClosedError if the subscription or its transport is closed before that, and
// the outage is logged when it starts, reminded at growing intervals while it
// lasts (not only once, then silence), and logged when it ends.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkRetryPolicy, ClosedError, silentLogger } from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createMemoryConsumerStorage } from "../../stores/memory/mod.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";
import { createRequestSigner } from "../../transports/http/client/client_auth.ts";
import {
  EventStreamSubscription,
  type SubscriptionDependencies,
} from "../../transports/http/client/_event_subscription.ts";
import { HttpRequests } from "../../transports/http/client/_http_requests.ts";
import { TOKEN } from "./_http_fixture.ts";
import {
  deadUrl,
  type Line,
  recordingLogger,
  startEventServer,
} from "./_http_subscription_fixture.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const requests = (base: string) =>
  new HttpRequests({
    base,
    sign: createRequestSigner({ bearer: TOKEN }),
    fetch: (url, init) => fetch(url, init),
    headers: {},
  });

// A subscription's dependencies that reconnect within milliseconds and remind
// after 100, 200, 400, 800 ms, … instead of 1 min, 10 min, hourly.
function quickDependencies(
  open: SubscriptionDependencies["open"],
  checkpoints: SubscriptionDependencies["checkpoints"],
  lines: Line[],
): SubscriptionDependencies {
  return {
    open,
    checkpoints,
    parked: undefined,
    reconnect: checkRetryPolicy({ initialDelay: 5, maxDelay: 10 }),
    logger: recordingLogger(lines),
    stillFailingAt: (reminder) => 100 * 2 ** reminder,
  };
}

describe("HTTP subscribe() while the server is away", () => {
  it("bus.close() before the first connection rejects ready with ClosedError", async () => {
    const bus = createBus({
      transport: createHttpTransport({
        url: await deadUrl(),
        auth: { bearer: TOKEN },
        reconnect: { initialDelay: 10, maxDelay: 50 },
        logger: silentLogger,
      }),
      logger: silentLogger,
    });
    const registration = bus.subscribe("billing", { category: "orders" }, () => {});
    const ready = registration.ready.then(() => "ready", (error) => error);
    await sleep(300);
    await bus.close();
    const outcome = await ready;
    assert.ok(outcome instanceof ClosedError, `ready settled with ${outcome}`);
    assert.equal(
      outcome.message,
      'Cannot connect the event stream of group "billing": the transport is closed',
    );
  });

  it("stop() before the first connection rejects ready with ClosedError naming the subscription", async () => {
    const transport = createHttpTransport({
      url: await deadUrl(),
      auth: { bearer: TOKEN },
      reconnect: { initialDelay: 10, maxDelay: 50 },
      logger: silentLogger,
    });
    const registration = transport.subscribe("billing", ["orders/placed"], () => {});
    await sleep(100);
    await registration.stop();
    await assert.rejects(registration.ready, (error) => {
      assert.ok(error instanceof ClosedError);
      assert.match(error.message, /the subscription is closed$/);
      return true;
    });
    await transport.close();
  });

  it("stop() after the first connection leaves ready resolved", async () => {
    const { server, close } = await startEventServer();
    const transport = createHttpTransport({ url: server.url, auth: { bearer: TOKEN } });
    const registration = transport.subscribe("billing", ["orders/placed"], () => {});
    await registration.ready;
    await transport.close();
    await registration.ready;
    await close();
  });

  it("an outage is logged when it starts, reminded at growing intervals while it lasts, and when it ends", async () => {
    const { server, close } = await startEventServer();
    const lines: Line[] = [];
    let current = requests(await deadUrl());
    let failures = 0;
    const subscription = new EventStreamSubscription(
      quickDependencies(
        (group, selector, after, signal) => current.openStream(group, selector, after, signal),
        createMemoryConsumerStorage().checkpoints,
        lines,
      ),
      "billing",
      ["orders/placed"],
      () => {},
      { onError: () => void failures++ },
    );
    await sleep(1_000);
    current = requests(server.url);
    await subscription.ready;
    await subscription.stop();
    await close();

    const messages = lines.map((line) => line.message);
    assert.equal(messages[0], "Event stream failed; reconnecting");
    const reminders = lines.filter((line) =>
      line.message === "Event stream still failing; reconnecting"
    );
    assert.ok(reminders.length >= 2 && reminders.length <= 5, `${reminders.length} reminders`);
    assert.ok(failures > 20, `${failures} failures, each told to onError`);
    for (const reminder of reminders) {
      assert.equal(reminder.level, "warn");
      assert.equal(reminder.fields?.group, "billing");
      assert.equal(typeof reminder.fields?.downMs, "number");
      assert.equal(reminder.fields?.seconds, undefined, "downMs, as every outage line");
      assert.ok(reminder.fields?.error instanceof Error);
    }
    assert.deepEqual(messages.at(-1), "Event stream reconnected");
    assert.equal(lines.at(-1)?.level, "info");
    // The recovery line says how long it was down, in ms, as the stores' and consumers' do.
    const downMs = lines.at(-1)?.fields?.downMs;
    assert.ok(typeof downMs === "number" && downMs >= 900 && downMs < 10_000, `downMs=${downMs}`);
    assert.equal(lines.at(-1)?.fields?.seconds, undefined);
    assert.equal(messages.length, reminders.length + 2);
  });

  it("a checkpoint storage that fails is logged when it starts, reminded, and when it works again; the event is handled once", async () => {
    const { server, inner, close } = await startEventServer();
    const lines: Line[] = [];
    const storage = createMemoryConsumerStorage().checkpoints;
    let storageDown = true;
    const handled: unknown[] = [];
    const subscription = new EventStreamSubscription(
      quickDependencies(
        (group, selector, after, signal) =>
          requests(server.url).openStream(group, selector, after, signal),
        {
          ...storage,
          load: (group, partition) => storage.load(group, partition),
          commit: (update, work) =>
            storageDown ? Promise.reject(new Error("storage away")) : storage.commit(update, work),
        },
        lines,
      ),
      "billing",
      ["orders/placed"],
      (event) => void handled.push(event.data),
      { retry: { initialDelay: 5, maxDelay: 10 } },
    );
    await subscription.ready;
    await inner.publish({
      id: crypto.randomUUID(),
      type: "orders/placed",
      data: { n: 1 },
      streamName: "order-1",
      metadata: {},
    });
    await sleep(700);
    storageDown = false;
    for (let i = 0; i < 100 && handled.length === 0; i++) await sleep(20);
    await subscription.stop();
    await close();

    assert.deepEqual(handled, [{ n: 1 }]);
    const storageLines = lines.filter((line) => line.message.startsWith("Subscription storage"));
    assert.equal(storageLines[0].message, "Subscription storage failed; retrying");
    const reminders = storageLines.filter((line) =>
      line.message === "Subscription storage still failing; retrying"
    );
    assert.ok(reminders.length >= 1 && reminders.length <= 4, `${reminders.length} reminders`);
    assert.equal(storageLines.at(-1)?.message, "Subscription storage works again");
    const downMs = storageLines.at(-1)?.fields?.downMs;
    assert.ok(typeof downMs === "number" && downMs >= 600 && downMs < 10_000, `downMs=${downMs}`);
    assert.equal(storageLines.length, reminders.length + 2, "one line per retry would be dozens");
  });
});
