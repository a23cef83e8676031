// The consumer contract against PGlite: the handler's writes go through
// context.tx, a PGlite transaction, and commit with the checkpoint.
import { after, before, describe } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  type PGliteTransaction,
} from "../../stores/postgres/mod.ts";
import { silentLogger } from "../../mod.ts";
import { testConsumerContract } from "../contract/consumer.ts";
import { CONSUMER_TABLES } from "./_postgres_consumer_fixtures.ts";

describe("consumers on PGlite", () => {
  let pg: PGlite;

  before(async () => {
    pg = await PGlite.create();
    await createPGliteStore(pg, { schema: "consumers" }).migrate();
    await pg.exec("CREATE TABLE consumers.probe (seq bigserial PRIMARY KEY, marker text NOT NULL)");
  });

  after(async () => {
    await pg.close();
  });

  testConsumerContract<PGliteTransaction>({
    name: "PGlite",
    createStore: async () => {
      await pg.exec("TRUNCATE consumers.messages RESTART IDENTITY");
      return createPGliteStore(pg, {
        schema: "consumers",
        pollInterval: 100,
        logger: silentLogger,
      });
    },
    createStorage: async () => {
      await pg.exec(`TRUNCATE ${CONSUMER_TABLES("consumers")}`);
      return createPGliteConsumerStorage(pg, { schema: "consumers" });
    },
    txProbe: async () => {
      await pg.exec("TRUNCATE consumers.probe RESTART IDENTITY");
      return {
        write: async (tx, marker) => {
          await tx.query("INSERT INTO consumers.probe (marker) VALUES ($1)", [marker]);
        },
        read: async () =>
          (await pg.query<{ marker: string }>("SELECT marker FROM consumers.probe ORDER BY seq"))
            .rows.map((row) => row.marker),
      };
    },
    propertyRuns: 15,
    operations: true,
  });
});
