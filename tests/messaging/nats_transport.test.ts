// The NATS transport's own promises, with two processes simulated by two
// connections: a command id is deduplicated after JetStream's window (the
// ledger), a full queue pushes back on senders, each command is handled once
// by one of the processes, a command whose handler died is delivered again to
// the other, and a group split over two processes still sees each stream in
// publish order (a fast-check property); after close() every call is refused
// with ClosedError.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { NatsConnection } from "@nats-io/nats-core";
import { type Bus, type CommandEnvelope, createBus } from "../../core/messaging/mod.ts";
import {
  ClosedError,
  createConsoleLogger,
  silentLogger,
  StoreUnavailableError,
} from "../../core/mod.ts";
import { type NatsServer, natsServerMissing, startNats } from "../_nats_server.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { eventually } from "./_bus_suite.ts";
import { busWorld } from "./_nats_bus_fixtures.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (natsServerMissing !== undefined) {
  describe("NATS transport", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS transport", () => {
    let server: NatsServer & { release(): Promise<void> };
    let a: NatsConnection;
    let b: NatsConnection;
    const buses: Bus[] = [];
    before(async () => {
      server = await startNats();
      [a, b] = await Promise.all([connectNats(server.urls), connectNats(server.urls)]);
    });
    after(async () => {
      await Promise.all(buses.map((bus) => bus.close()));
      await Promise.all([a.close(), b.close()]);
      await server.release();
    });
    const bus = (transport: Parameters<typeof createBus>[0]["transport"]) => {
      const made = createBus({ transport });
      buses.push(made);
      return made;
    };

    it("a handler's failures are logged on the bus's logger, not the transport's", async () => {
      const transportLines: string[] = [];
      const busLines: string[] = [];
      const world = await busWorld(a, {
        logger: createConsoleLogger({ write: (line) => void transportLines.push(line) }),
      });
      const one = createBus({
        transport: await world.transport(a),
        logger: createConsoleLogger({ write: (line) => void busLines.push(line) }),
      });
      buses.push(one);
      one.handleCommand("users/lock", () => {
        throw new RangeError("user u-1 is locked");
      }, { retry: { maxAttempts: 1 } });
      await assert.rejects(one.sendAndWait({ type: "users/lock", data: {} }), /is locked/);
      assert.ok(
        busLines.some((line) => line.startsWith("ordo error: Handler failed")),
        busLines.join("\n"),
      );
      assert.ok(
        busLines.some((line) => line.startsWith("ordo warn: Message parked")),
        busLines.join("\n"),
      );
      assert.deepEqual(
        transportLines.filter((line) => /Handler failed|Message parked/.test(line)),
        [],
      );
    });

    it("send() of an id already handled is deduplicated after JetStream's duplicate window", async () => {
      const world = await busWorld(a, { duplicateWindow: 200 });
      const one = bus(await world.transport(a));
      let runs = 0;
      one.handleCommand("users/lock", () => void runs++);
      const id = crypto.randomUUID();
      assert.equal((await one.send({ type: "users/lock", data: {}, id })).deduplicated, false);
      await eventually(() => runs === 1, 10_000, "the handler");
      await sleep(500);
      // Another process sends the same id after the window.
      const other = bus(await world.transport(b));
      assert.equal((await other.send({ type: "users/lock", data: {}, id })).deduplicated, true);
      await one.sendAndWait({ type: "users/lock", data: {} });
      assert.equal(runs, 2);
    });

    it("send() pushes back with a retryable StoreUnavailableError while the queue is full", async () => {
      const world = await busWorld(a, { maxQueuedCommands: 3 });
      const sender = bus(await world.transport(a));
      const call = (n: number) =>
        sender.send({ type: "reports/build", data: { n } }, { timeout: 300 });
      for (let n = 0; n < 3; n++) await call(n);
      await assert.rejects(call(3), (error) => {
        // The bus retried it until its deadline; the last failure says why.
        const cause = error instanceof StoreUnavailableError ? error : (error as Error).cause;
        assert.match(String((cause as Error)?.message ?? error), /queue is full|Timed out/);
        return true;
      });
      const seen: number[] = [];
      const worker = bus(await world.transport(b));
      worker.handleCommand("reports/build", (c) => void seen.push((c.data as { n: number }).n));
      await eventually(() => seen.length === 3, 10_000, "the queue to drain");
      await call(4);
      await eventually(() => seen.length === 4, 10_000, "the command after the drain");
      assert.deepEqual(seen, [0, 1, 2, 4]);
    });

    it("a command whose handler's process died is delivered again to another process", async () => {
      const world = await busWorld(a, { ackWait: 1000 });
      const dying = await connectNats(server.urls);
      const first = createBus({ transport: await world.transport(dying) });
      let started = false;
      let release!: () => void;
      const hanging = new Promise<void>((resolve) => (release = resolve));
      first.handleCommand("mail/send", () => {
        started = true;
        return hanging; // hangs until its process dies
      });
      const sender = bus(await world.transport(a));
      const id = crypto.randomUUID();
      await sender.send({ type: "mail/send", data: {}, id });
      await eventually(() => started, 10_000, "the first handler");
      await dying.close(); // the process dies without acknowledging
      const handled: string[] = [];
      bus(await world.transport(b)).handleCommand("mail/send", (c) => void handled.push(c.id));
      await eventually(() => handled.length === 1, 15_000, "the redelivery");
      assert.deepEqual(handled, [id]);
      release();
      await first.close();
    });

    it("property: commands are handled once each and events in per-stream order by two processes of one group", async () => {
      const plan = fc.array(fc.constantFrom("1", "2", "3"), { minLength: 1, maxLength: 20 });
      await fc.assert(
        fc.asyncProperty(plan, async (streams) => {
          const world = await busWorld(a);
          const processes = [bus(await world.transport(a)), bus(await world.transport(b))];
          const events: string[] = [];
          const commands: string[] = [];
          for (const p of processes) {
            p.subscribe("projector", { category: "cart" }, (event) => {
              events.push(`${event.streamName}#${(event.data as { seq: number }).seq}`);
            });
            p.handleCommand("cart/touch", (command) => void commands.push(command.id));
          }
          const published: string[] = [];
          const counters = new Map<string, number>();
          const sent: string[] = [];
          for (const s of streams) {
            const seq = (counters.get(s) ?? 0) + 1;
            counters.set(s, seq);
            await processes[seq % 2].publish({
              type: "cart/touched",
              data: { seq },
              stream: `cart-${s}`,
            });
            published.push(`cart-${s}#${seq}`);
            sent.push((await processes[1 - (seq % 2)].send({ type: "cart/touch", data: {} })).id);
          }
          await eventually(
            () => events.length >= published.length && commands.length >= sent.length,
            20_000,
            "both processes",
          );
          assert.deepEqual([...commands].sort(), [...sent].sort(), "each command once");
          assert.deepEqual([...events].sort(), [...published].sort(), "each event once");
          for (const s of new Set(streams)) {
            const mine = (list: string[]) => list.filter((e) => e.startsWith(`cart-${s}#`));
            assert.deepEqual(mine(events), mine(published), `cart-${s} in order`);
          }
          await Promise.all(processes.map((p) => p.close()));
        }),
        propertyParameters(8),
      );
    });

    it("after close(), every call is refused with ClosedError and a waiting sendAndWait() ends with it", async () => {
      const world = await busWorld(a, { logger: silentLogger });
      const waiter = await world.transport(a);
      const waiting = waiter.sendAndWait(envelope("orders/place")); // nobody handles it
      await sleep(100);
      await waiter.close();
      await assert.rejects(waiting, ClosedError);
      const transport = await world.transport(b);
      await transport.close();
      const calls: [string, () => unknown][] = [
        ["send", () => transport.send(envelope("orders/place"))],
        ["sendAndWait", () => transport.sendAndWait(envelope("orders/place"))],
        ["query", () => transport.query({ name: "orders/show", payload: 1 })],
        ["publish", () =>
          transport.publish({
            id: crypto.randomUUID(),
            type: "orders/placed",
            data: {},
            streamName: "order-1",
            metadata: {},
          })],
        ["handleCommand", () => transport.handleCommand("orders/place", () => {})],
        ["handleQuery", () => transport.handleQuery("orders/show", () => 1)],
        ["subscribe", () => transport.subscribe("g", ["orders/placed"], () => {})],
        ["setup", () => transport.setup()],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(async () => await call(), ClosedError, name);
      }
      await transport.close(); // idempotent
    });
  });
}

function envelope(type: string): CommandEnvelope {
  return { id: crypto.randomUUID(), type, data: { n: 1 }, key: "k", metadata: {} };
}
