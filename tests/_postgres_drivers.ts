// The postgres.js versions ordo supports, for the tests that run against
// each: 3.4 as "postgres" (package.json pins 3.4.9) and 4.x as the npm alias
// "postgres4" (npm:postgres@4.x). A file loops over POSTGRES_DRIVERS and gives
// usePostgres() the driver's factory.
//
// The cast: the library and the tests are type-checked against 3.4's types
// ("postgres"), whose Sql differs from 4.x's in details the store does not use
// (4.x's ParsedOptions lacks onnotice, say). `npm run check` type-checks the
// library against 4.x's own types too (tsconfig.postgres4.json), so a call the
// adapter makes that 4.x lacks fails there, not here.
import postgres from "postgres";
import postgres4 from "postgres4";

/** One postgres.js version under test. */
export interface PostgresDriverUnderTest {
  /** For test names: "postgres.js 3.4". */
  readonly name: string;
  /** The major version, for what differs between them (3.4's crash on a terminated transaction). */
  readonly major: 3 | 4;
  /** The package's default export, `postgres(url, options)`. */
  readonly postgres: typeof postgres;
  /** The name to import it by in a child process (DRIVER_MODULE). */
  readonly module: "postgres" | "postgres4";
}

/** postgres.js 3.4 (the pinned 3.4.9). */
export const POSTGRES_JS_3: PostgresDriverUnderTest = {
  name: "postgres.js 3.4",
  major: 3,
  postgres,
  module: "postgres",
};

/** postgres.js 4 (the alias postgres4). */
export const POSTGRES_JS_4: PostgresDriverUnderTest = {
  name: "postgres.js 4",
  major: 4,
  postgres: postgres4 as unknown as typeof postgres,
  module: "postgres4",
};

/** Both, 3.4 first. */
export const POSTGRES_DRIVERS: readonly PostgresDriverUnderTest[] = [POSTGRES_JS_3, POSTGRES_JS_4];
