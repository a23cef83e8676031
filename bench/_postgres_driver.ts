// The postgres.js the PostgreSQL scenarios run on: 4.x ("postgres") unless
// ORDO_BENCH_POSTGRES=postgres3 picks 3.4 (the development alias), so the two
// can be run one after the other on the same machine and compared. ordo and
// its raw baseline always run on the same one.
import process from "node:process";
import { readFileSync } from "node:fs";
import type postgresType from "postgres";

const chosen = process.env.ORDO_BENCH_POSTGRES ?? "postgres";
if (chosen !== "postgres" && chosen !== "postgres3") {
  throw new Error(
    `ORDO_BENCH_POSTGRES=${chosen}: expected postgres (4.x, the default) or postgres3 (3.4)`,
  );
}

/** postgres.js's default export, of the chosen version (typed as 4.x's; 3.4 takes the same calls here). */
const postgres = (await import(chosen)).default as typeof postgresType;
export default postgres;

/** "postgres.js 4.2.0", for the report. */
export const POSTGRES_DRIVER_NAME = `postgres.js ${
  (JSON.parse(
    readFileSync(new URL(`../node_modules/${chosen}/package.json`, import.meta.url), "utf8"),
  ) as { version: string }).version
}`;
