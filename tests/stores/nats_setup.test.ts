// setup() on a stream that exists: it may update what the options say of it
// (replicas, the duplicate window), but never moves it to other subjects,
// which would leave what it holds under the old ones: a service set up with
// another subjectPrefix would see an empty store, and the services using the
// old one would find no stream for their appends. It refuses with a
// ValidationError and changes nothing. And more than one replica asked of a
// single server is the replicas option's mistake, said as such.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { silentLogger, ValidationError } from "../../core/mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
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

    // A user trying the scaling guide's R3 setup on one local server got the server's
    // words as an untyped JetStreamApiFailure from each setup().
    it("the store's, the storage's and the transport's refuse replicas: 3 on a server not in a cluster", async () => {
      const names = freshNames();
      const store = createNatsStore(nats.nc, {
        headers,
        ...names,
        replicas: 3,
        logger: silentLogger,
      });
      const bucket = `${names.subjectPrefix}_cp`;
      const storage = createNatsConsumerStorage(nats.nc, { headers, bucket, replicas: 3 });
      const oneReplica = await freshStore(nats.nc);
      const commandStream = `${names.stream}_CMD`;
      const transport = createNatsTransport(nats.nc, {
        headers,
        store: oneReplica,
        commandStream,
        subjectPrefix: `${names.subjectPrefix}_bus`,
        replicas: 3,
        logger: silentLogger,
      });
      const refused = (error: unknown) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(error.path, "options.replicas");
        assert.equal(error.value, 3);
        assert.match(
          error.message,
          /the NATS server is not in a cluster.*pass replicas: 1 to a single server, or run 3 or more nats-servers clustered/,
        );
        return true;
      };
      try {
        await assert.rejects(store.setup(), refused);
        await assert.rejects(storage.setup(), refused);
        await assert.rejects(transport.setup(), refused);
      } finally {
        await transport.close();
        storage.close();
        await store.close();
        await oneReplica.close();
      }
    });
  });
}
