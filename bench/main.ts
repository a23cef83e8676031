// `npm run bench`: every scenario, printed as a table and as one JSON line.
// Figures are best-of-rounds rates on this machine, each beside its baseline from the same run.
// `npm run bench -- memory`, `-- postgres`, `-- iterate`, `-- reads`, `-- consumers`, `-- messaging`,
// `-- http`, `-- telemetry` or `-- browse` runs one group;
// `-- postgres-paths` (not in the default run) takes a deferred PostgreSQL append apart.
import process from "node:process";
import { type BenchRow, report } from "./_measure.ts";
import { benchBrowse } from "./browse.ts";
import { benchConsumers } from "./consumers.ts";
import { benchHttp } from "./http.ts";
import { benchIterateMillion } from "./iterate_million.ts";
import { benchMemoryStore } from "./memory_store.ts";
import { benchMessaging } from "./messaging.ts";
import { benchPostgresStore } from "./postgres_store.ts";
import { benchPostgresWritePaths } from "./postgres_write_paths.ts";
import { benchReadsAtScale } from "./reads_at_scale.ts";
import { benchRebuild } from "./rebuild.ts";
import { benchTelemetry } from "./telemetry.ts";

const only = process.argv[2];
const rows: BenchRow[] = [];
if (only === undefined || only === "memory") rows.push(...await benchMemoryStore());
if (only === undefined || only === "postgres") rows.push(...await benchPostgresStore());
if (only === undefined || only === "iterate") rows.push(...await benchIterateMillion());
if (only === undefined || only === "reads") rows.push(...await benchReadsAtScale());
if (only === "postgres-paths") rows.push(...await benchPostgresWritePaths());
if (only === undefined || only === "consumers") rows.push(...await benchConsumers());
if (only === undefined || only === "consumers" || only === "rebuild") {
  rows.push(...await benchRebuild());
}
if (only === undefined || only === "messaging") rows.push(...await benchMessaging());
if (only === undefined || only === "http") rows.push(...await benchHttp());
if (only === undefined || only === "browse") rows.push(...await benchBrowse());
if (only === undefined || only === "telemetry") rows.push(...await benchTelemetry());
report(rows);
