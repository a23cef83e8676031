// The postgres.js versions ordo supports, for the tests that run against
// each: 4.x as "postgres" (package.json pins 4.2.0, the version ordo
// recommends and every other test runs on) and 3.4 as the npm alias
// "postgres3" (npm:postgres@3.4.9). A file loops over POSTGRES_DRIVERS and
// gives usePostgres() the driver's factory.
//
// The cast: the library and the tests are type-checked against 4.x's types
// ("postgres"), whose Sql differs from 3.4's in details the store does not use.
// `npm run check` type-checks the library against 3.4's own types too
// (tsconfig.postgres3.json), so a call the adapter makes that 3.4 lacks fails
// there, not here.
import postgres from "postgres";
import postgres3 from "postgres3";

/** One postgres.js version under test. */
export interface PostgresDriverUnderTest {
  /** For test names: "postgres.js 3.4". */
  readonly name: string;
  /** The major version, for what differs between them (3.4's crash on a terminated transaction). */
  readonly major: 3 | 4;
  /** The package's default export, `postgres(url, options)`. */
  readonly postgres: typeof postgres;
  /** The name to import it by in a child process (DRIVER_MODULE). */
  readonly module: "postgres" | "postgres3";
}

/** postgres.js 3.4 (the alias postgres3, 3.4.9). */
export const POSTGRES_JS_3: PostgresDriverUnderTest = {
  name: "postgres.js 3.4",
  major: 3,
  postgres: postgres3 as unknown as typeof postgres,
  module: "postgres3",
};

/** postgres.js 4 (the pinned "postgres"). */
export const POSTGRES_JS_4: PostgresDriverUnderTest = {
  name: "postgres.js 4",
  major: 4,
  postgres,
  module: "postgres",
};

/** Both, 3.4 first. */
export const POSTGRES_DRIVERS: readonly PostgresDriverUnderTest[] = [POSTGRES_JS_3, POSTGRES_JS_4];
