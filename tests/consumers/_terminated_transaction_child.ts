// Run by postgres_terminated_transaction.test.ts in a child process: the
// scenario of _terminated_transaction.ts on the postgres.js that
// DRIVER_MODULE names ("postgres", 4.x, or "postgres3", 3.4), in a database of its own
// on the server at DATABASE_URL. Prints "survived" and the outcome as JSON if
// the process lives through it.
import process from "node:process";
import type postgres from "postgres";
import { terminateMidTransaction } from "./_terminated_transaction.ts";

const url = process.env.DATABASE_URL;
const module = process.env.DRIVER_MODULE;
if (!url || (module !== "postgres" && module !== "postgres3")) {
  throw new Error("DATABASE_URL and DRIVER_MODULE (postgres or postgres3) must be set");
}
const make = (await import(module)).default as typeof postgres;
const sql = make(url, { max: 4, onnotice: () => {} });
const admin = make(url, { max: 1, onnotice: () => {} });
const schema = `terminated_${process.pid}`;
try {
  const outcome = await terminateMidTransaction(sql, admin, schema);
  console.log(`survived ${JSON.stringify(outcome)}`);
} finally {
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await admin.end({ timeout: 5 });
  await sql.end({ timeout: 5 });
}
