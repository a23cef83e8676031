// The scaling guide's startOnNats (examples/nats_cluster.ts, its code block
// word for word) run as a user's script runs it, on a three-node JetStream
// cluster: it appends and answers a command over R3 streams, and after its
// close() the script exits by itself. A trial found the guide's function
// returned the connection with no way shown to close it, and a script that
// used it never exited. run_all.test.ts cannot run it: it exports, and needs
// a cluster.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/nats-core";
import { ROOT } from "../_paths.ts";
import { run } from "../_process.ts";
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
  });
}
