// setup() on a stream that exists: it may update what the options say of it
// (replicas, the duplicate window), but never moves it to other subjects,
// which would leave what it holds under the old ones: a service set up with
// another subjectPrefix would see an empty store, and the services using the
// old one would find no stream for their appends. It refuses with a
// ValidationError and changes nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { silentLogger, ValidationError } from "../../core/mod.ts";
import { createNatsStore } from "../../stores/nats/mod.ts";
import { JetStreamApi } from "../../stores/nats/jetstream/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { deleteStreams, freshNames, freshStore, useNats } from "./_nats_fixtures.ts";

if (natsServerMissing !== undefined) {
  describe("NATS setup() on an existing stream", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS setup() on an existing stream", () => {
    const nats = useNats();

    const subjectsOf = async (stream: string): Promise<unknown> => {
      const api = new JetStreamApi({ connection: nats.nc, headers });
      try {
        return ((await api.request(`STREAM.INFO.${stream}`)).config as { subjects: unknown })
          .subjects;
      } finally {
        api.close();
      }
    };

    it("the store's refuses another subjectPrefix, and the stream and its messages stay", async () => {
      const store = await freshStore(nats.nc);
      try {
        await store.append("order-1", [{ type: "OrderPlaced", data: { total: 3 } }]);
        const other = createNatsStore(nats.nc, {
          headers,
          logger: silentLogger,
          stream: store.stream,
          subjectPrefix: "elsewhere",
        });
        await assert.rejects(other.setup(), (error) => {
          assert.ok(error instanceof ValidationError, String(error));
          assert.equal(error.path, "options.subjectPrefix");
          assert.match(
            error.message,
            new RegExp(
              `stream "${store.stream}" exists with the subjects t\\w+\\.>, not elsewhere\\.>, ` +
                "and setup\\(\\) does not move a stream",
            ),
          );
          return true;
        });
        await other.close();
        const [subject] = await subjectsOf(store.stream) as string[];
        assert.match(subject, /^t\w+\.>$/);
        const read = await store.readStream("order-1");
        assert.deepEqual(read.map((m) => m.type), ["OrderPlaced"]);
        // Set up again as it was: an update with the same subjects goes through.
        await store.setup();
      } finally {
        await store.close();
      }
    });

    it("the transport's refuses another subjectPrefix for its command stream", async () => {
      const store = await freshStore(nats.nc);
      const { subjectPrefix } = freshNames();
      const commandStream = `${store.stream}_CMD`;
      const first = createNatsTransport(nats.nc, {
        headers,
        store,
        commandStream,
        subjectPrefix,
        logger: silentLogger,
      });
      const second = createNatsTransport(nats.nc, {
        headers,
        store,
        commandStream,
        subjectPrefix: `${subjectPrefix}_other`,
        logger: silentLogger,
      });
      try {
        await first.setup();
        await assert.rejects(second.setup(), (error) => {
          assert.ok(error instanceof ValidationError, String(error));
          assert.equal(error.path, "options.subjectPrefix");
          return true;
        });
        assert.deepEqual(await subjectsOf(commandStream), [`${subjectPrefix}.cmd.>`]);
      } finally {
        await first.close();
        await second.close();
        await deleteStreams(nats.nc, [commandStream]);
        await store.close();
      }
    });
  });
}
