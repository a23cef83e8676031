// The scaling guide's startOnNats (examples/nats_cluster.ts, its code block
// word for word) run as a user's script runs it, on a three-node JetStream
// cluster: it appends and answers a command over R3 streams, and after its
// close() the script exits by itself. A trial found the guide's function
// returned the connection with no way shown to close it, and a script that
// used it never exited. A later trial found the bus's command queue and its
// ledger left at one replica under a comment saying "all R3", and close()
// during an outage throwing the client's "connection disconnected" and then
// leaving the process reconnecting for ever. run_all.test.ts cannot run it:
// it exports, and needs a cluster.
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/nats-core";
import { spawn } from "node:child_process";
import { ROOT } from "../_paths.ts";
import { followOutput, run } from "../_process.ts";
import { CURRENT_RUNTIME } from "../_runtimes.ts";
import { type NatsServer, natsServerMissing, startNatsCluster } from "../_nats_server.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { waitForJetStream } from "../stores/_nats_fault.ts";

/** How long after its last line the script may take to exit, as for every example. */
const EXIT_WITHIN = 2000;

if (natsServerMissing !== undefined) {
  describe("the scaling guide's startOnNats", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe(`the scaling guide's startOnNats (${CURRENT_RUNTIME.name})`, () => {
    let cluster: NatsServer;
    before(async () => {
      cluster = await startNatsCluster();
      const nc: NatsConnection = await connectNats(cluster.urls);
      try {
        await waitForJetStream(nc);
      } finally {
        await nc.close();
      }
    });
    after(async () => await cluster?.stop());

    it("works on a cluster, and a script that calls its close() exits by itself", async () => {
      const result = await run(
        CURRENT_RUNTIME.command,
        CURRENT_RUNTIME.args("tests/examples/_nats_cluster_child.ts"),
        {
          cwd: ROOT,
          timeout: 120_000,
          env: { ORDO_NATS_URLS: cluster.urls.join(","), NO_COLOR: "1" },
        },
      );
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /^appended at \d+\nplaced\nclosed\n$/);
      assert.ok(
        result.lingered < EXIT_WITHIN,
        `the script exited ${result.lingered} ms after its last line`,
      );
    });

    it("makes every stream and bucket it sets up R3, the bus's command queue and ledger too", async () => {
      const nc: NatsConnection = await connectNats(cluster.urls);
      try {
        const streams = ["ORDO", "ORDO_IDS", "KV_ordo_consumers", "KV_order_totals"];
        streams.push("ORDO_COMMANDS", "KV_ordo_commands");
        const replicas: Record<string, unknown> = {};
        for (const stream of streams) {
          const answer = await nc.request(`$JS.API.STREAM.INFO.${stream}`, "", { timeout: 5000 });
          replicas[stream] = answer.json<{ config?: { num_replicas?: number } }>().config
            ?.num_replicas;
        }
        assert.deepEqual(replicas, Object.fromEntries(streams.map((s) => [s, 3])));
      } finally {
        await nc.close();
      }
    });

    // Last: it kills every node (after() stops them all anyway).
    it("closes within seconds with every server away, and the script exits", async () => {
      const child = spawn(
        CURRENT_RUNTIME.command,
        CURRENT_RUNTIME.args("tests/examples/_nats_cluster_child.ts"),
        {
          cwd: ROOT,
          env: {
            ...process.env,
            ORDO_NATS_URLS: cluster.urls.join(","),
            ORDO_OUTAGE: "1",
            NO_COLOR: "1",
          },
          stdio: "pipe",
        },
      );
      let output = "";
      let lastOutput = Date.now();
      const lines: string[] = [];
      followOutput(child, (text) => {
        output += text;
        lastOutput = Date.now();
      }, (more) => {
        lines.push(...more);
        if (more.includes("placed")) { for (const node of cluster.nodes) void node.kill(); }
      });
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.once("exit", (exitCode) => (clearTimeout(timer), resolve(exitCode)));
      });
      const lingered = Date.now() - lastOutput;
      assert.equal(code, 0, output);
      assert.deepEqual(lines.slice(1), ["placed", "servers gone", "closed"], output);
      const took = Number(/close took (\d+) ms/.exec(output)?.[1]);
      assert.ok(took < 3000, `close() took ${took} ms with the servers away\n${output}`);
      assert.ok(lingered < EXIT_WITHIN, `the script exited ${lingered} ms after its last line`);
    });
  });
}
