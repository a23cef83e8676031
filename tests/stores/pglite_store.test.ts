// The store contract against PGlite: PostgreSQL embedded in this process.
import { after, before, describe } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { createPGliteStore } from "../../stores/postgres/mod.ts";
import { testStoreContract } from "../contract/store.ts";
import { emptyingFactory } from "./_postgres_fixtures.ts";

describe("PostgreSQL store over PGlite", () => {
  let pg: PGlite;

  before(async () => {
    pg = await PGlite.create();
    await createPGliteStore(pg, { schema: "contract" }).migrate();
  });

  after(async () => {
    await pg.close();
  });

  testStoreContract({
    name: "postgres (PGlite)",
    create: emptyingFactory(
      (text) => pg.exec(text),
      () => createPGliteStore(pg, { schema: "contract", pollInterval: 200 }),
    ),
    reopen: () => createPGliteStore(pg, { schema: "contract" }),
    capabilities: { browsing: true },
    propertyRuns: 25,
  });
});
