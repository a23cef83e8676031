// The call's deadline on the NATS transport, against a real nats-server, with
// two connections standing for the calling and the answering process:
// - a query's request ends at the deadline (it used a fixed 60 s), also when
//   the caller gives the deadline and no signal (an HTTP server's wait=<s>);
// - the request carries the milliseconds left (`Ordo-Wait-Ms`), and the
//   answering process stops waiting for a handler past them, so its stop()
//   and close() do not wait for a handler whose caller gave up;
// - a query that arrives with no time left is not handled;
// - a sendAndWait ends at the deadline as well, and its command is still
//   handled afterwards (commands are at least once: a caller giving up does
//   not withdraw a command the queue accepted), its result kept for its id.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { createBus } from "../../core/messaging/mod.ts";
import { TimeoutError } from "../../core/mod.ts";
import { toToken } from "../../stores/nats/jetstream/mod.ts";
import { type NatsServer, natsServerMissing, startNats } from "../_nats_server.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { keptLogger } from "../_kept_logger.ts";
import { busWorld } from "./_nats_bus_fixtures.ts";

/** Resolves with the milliseconds `work` took, or `null` if it did not settle within `cap`. */
async function settledWithin(work: Promise<unknown>, cap: number): Promise<number | null> {
  const at = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const capped = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), cap)));
  const done = work.then(() => performance.now() - at, () => performance.now() - at);
  try {
    return await Promise.race([done, capped]);
  } finally {
    clearTimeout(timer);
  }
}

function hanging() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  return {
    release,
    get calls() {
      return calls;
    },
    handler: async () => {
      calls++;
      await released;
      return "late";
    },
  };
}

if (natsServerMissing !== undefined) {
  describe("NATS transport: the call's deadline", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS transport: the call's deadline", () => {
    let server: NatsServer & { release(): Promise<void> };
    let a: NatsConnection;
    let b: NatsConnection;
    before(async () => {
      server = await startNats();
      [a, b] = await Promise.all([connectNats(server.urls), connectNats(server.urls)]);
    });
    after(async () => {
      await Promise.all([a.close(), b.close()]);
      await server.release();
    });

    it("a query given only a deadline times out at it, and the answering process stops waiting for its handler then", async () => {
      const logger = keptLogger();
      const world = await busWorld(a, { logger });
      const caller = await world.transport(a);
      const answering = await world.transport(b);
      const slow = hanging();
      const registration = answering.handleQuery("slow/show", slow.handler);
      await registration.ready;
      try {
        const call = caller.query({ name: "slow/show", payload: {} }, {
          deadline: Date.now() + 300,
        });
        const failure = await Promise.race([
          call.then(() => "answered", (error) => error),
          new Promise((resolve) => setTimeout(() => resolve("still waiting after 3 s"), 3_000)),
        ]);
        assert.ok(failure instanceof TimeoutError, String(failure));
        assert.equal(slow.calls, 1);
        // The handler still hangs; the answering side stopped waiting at the caller's deadline.
        const stopped = await settledWithin(registration.stop(), 3_000);
        assert.ok(stopped !== null && stopped < 1_000, `stop() took ${stopped ?? "over 3000"} ms`);
        assert.ok(
          logger.lines.includes("warn: Query handler outlived its caller's deadline"),
          logger.lines.join("\n"),
        );
      } finally {
        slow.release();
        await caller.close();
        await answering.close();
      }
    });

    it("through the bus: the caller's query timeout reaches the answering process, whose close() does not wait past it", async () => {
      const world = await busWorld(a, { logger: keptLogger() });
      const caller = createBus({ transport: await world.transport(a), retry: false });
      const answeringTransport = await world.transport(b);
      const slow = hanging();
      await answeringTransport.handleQuery("slow/show", slow.handler).ready;
      try {
        await assert.rejects(caller.query("slow/show", {}, { timeout: 300 }), TimeoutError);
        const closed = await settledWithin(answeringTransport.close(), 3_000);
        assert.ok(closed !== null && closed < 1_000, `close() took ${closed ?? "over 3000"} ms`);
      } finally {
        slow.release();
        await caller.close();
        await answeringTransport.close();
      }
    });

    it("a query that arrives with no time left is not handled, and is answered with a TimeoutError", async () => {
      const logger = keptLogger();
      const prefix = `bus_deadline_${crypto.randomUUID().slice(0, 8)}`;
      const world = await busWorld(a, { logger, subjectPrefix: prefix });
      const answering = await world.transport(b);
      let calls = 0;
      await answering.handleQuery("fast/show", () => ++calls).ready;
      try {
        const sent = headers();
        sent.set("Ordo-Wait-Ms", "0");
        const reply = await a.request(`${prefix}.q.${toToken("fast/show")}`, "{}", {
          timeout: 2_000,
          headers: sent,
        });
        const answer = reply.json<{ ok: boolean; e?: { name: string } }>();
        assert.equal(answer.ok, false);
        assert.equal(answer.e?.name, "TimeoutError");
        assert.equal(calls, 0);
        assert.ok(
          logger.lines.includes("warn: Query not handled: its caller had given up"),
          logger.lines.join("\n"),
        );
        // With time left (or no header at all: an older caller) it is handled.
        const fine = headers();
        fine.set("Ordo-Wait-Ms", "5000");
        const answered = await a.request(`${prefix}.q.${toToken("fast/show")}`, "{}", {
          timeout: 2_000,
          headers: fine,
        });
        assert.deepEqual(answered.json(), { ok: true, r: 1 });
        const bare = await a.request(`${prefix}.q.${toToken("fast/show")}`, "{}", {
          timeout: 2_000,
        });
        assert.deepEqual(bare.json(), { ok: true, r: 2 });
      } finally {
        await answering.close();
      }
    });

    it("a sendAndWait given only a deadline times out at it; its command is still handled once, and a repeat gets the result", async () => {
      const world = await busWorld(a, { logger: keptLogger() });
      const caller = await world.transport(a);
      const answering = await world.transport(b);
      const id = crypto.randomUUID();
      const command = {
        id,
        type: "later/run",
        data: { n: 1 },
        key: id,
        metadata: { timestamp: new Date().toISOString() },
      };
      try {
        // No handler yet: the command waits on the queue, the caller gives up at its deadline.
        const failure = await Promise.race([
          caller.sendAndWait(command, { deadline: Date.now() + 300 }).then(
            () => "answered",
            (error) => error,
          ),
          new Promise((resolve) => setTimeout(() => resolve("still waiting after 3 s"), 3_000)),
        ]);
        assert.ok(failure instanceof TimeoutError, String(failure));
        const handled: string[] = [];
        answering.handleCommand("later/run", (message) => {
          handled.push(message.id);
          return "done";
        });
        assert.equal(await caller.sendAndWait(command, { deadline: Date.now() + 5_000 }), "done");
        assert.deepEqual(handled, [id]);
      } finally {
        await caller.close();
        await answering.close();
      }
    });
  });
}
