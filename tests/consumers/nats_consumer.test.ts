// The consumer contract on NATS alone: the NATS store, and consumer storage on
// JetStream key-value buckets (checkpoints, leases with compare-and-set
// fencing, parked and processed records), against a real nats-server started
// by the test. The probe writes through the handler's NatsTransaction into a
// bucket of its own and reads it back in revision order.
import { describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import {
  createNatsConsumerStorage,
  type NatsConsumerStorage,
  type NatsTransaction,
} from "../../stores/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { testConsumerContract } from "../contract/consumer.ts";
import { deleteStreams, freshStore, useNats } from "../stores/_nats_fixtures.ts";

if (natsServerMissing !== undefined) {
  describe("Consumer contract: nats", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("consumers on NATS (store and key-value storage)", () => {
    const nats = useNats();

    const run = crypto.randomUUID().slice(0, 6);
    let count = 0;
    const probeBucket = new WeakMap<object, string>();

    testConsumerContract<NatsTransaction>({
      name: "NATS (JetStream store, key-value storage)",
      createStore: () => freshStore(nats.nc),
      createStorage: async () => {
        const n = count++;
        const probe = `probe_${run}_${n}`;
        const storage = createNatsConsumerStorage(nats.nc, {
          headers,
          bucket: `consumers_${run}_${n}`,
          buckets: [probe],
        });
        await storage.setup();
        probeBucket.set(storage, probe);
        return storage;
      },
      closeStorage: async (storage) => {
        const own = storage as NatsConsumerStorage;
        own.close();
        const probe = probeBucket.get(own)!;
        await deleteStreams(nats.nc, [
          `KV_${probe}`,
          `KV_${probe.replace("probe_", "consumers_")}`,
        ]);
      },
      txProbe: (storage) => {
        const bucket = probeBucket.get(storage)!;
        return {
          write: (tx, marker) => tx.put(bucket, `m.${crypto.randomUUID()}`, marker),
          read: async () =>
            (await (storage as NatsConsumerStorage).bucket(bucket).entries()).map((entry) =>
              JSON.parse(entry.value) as string
            ),
        };
      },
      propertyRuns: 10,
      operations: true,
    });
  });
}
