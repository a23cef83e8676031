// `npm run bench`: every scenario, printed as a table and as one JSON line.
// Figures are best-of-rounds rates on this machine, each beside its baseline from the same run.
// `npm run bench -- memory`, `-- postgres`, `-- nats`, `-- iterate`, `-- reads`, `-- consumers`,
// `-- rebuild`, `-- messaging`, `-- http`, `-- browse`, `-- telemetry` or `-- effect` runs one group
// (`-- postgres,nats` two; `consumers` runs `rebuild` too);
// `-- postgres-paths` (not in the default run) takes a deferred PostgreSQL append apart;
// `-- postgres-single` runs only the one-writer, one-message rows of `postgres`.
// The PostgreSQL scenarios run on postgres.js 4; `ORDO_BENCH_POSTGRES=postgres3` runs them on 3.4.
import process from "node:process";
import { type BenchRow, report } from "./_measure.ts";
import { benchBrowse } from "./browse.ts";
import { benchConsumers } from "./consumers.ts";
import { benchEffect } from "./effect.ts";
import { benchHttp } from "./http.ts";
import { benchIterateMillion } from "./iterate_million.ts";
import { benchMemoryStore } from "./memory_store.ts";
import { benchMessaging } from "./messaging.ts";
import { benchNatsStore } from "./nats_store.ts";
import { POSTGRES_DRIVER_NAME } from "./_postgres_driver.ts";
import { benchPostgresSingleAppend } from "./postgres_single_append.ts";
import { benchPostgresStore } from "./postgres_store.ts";
import { benchPostgresWritePaths } from "./postgres_write_paths.ts";
import { benchReadsAtScale } from "./reads_at_scale.ts";
import { benchRebuild } from "./rebuild.ts";
import { benchTelemetry } from "./telemetry.ts";

// One group, or several joined by commas (`-- postgres,nats`).
const groups = process.argv[2]?.split(",");
const run = (group: string) => groups === undefined || groups.includes(group);
const rows: BenchRow[] = [];
if (run("memory")) rows.push(...await benchMemoryStore());
if (run("postgres")) rows.push(...await benchPostgresStore());
if (run("postgres") || groups?.includes("postgres-single")) {
  rows.push(...await benchPostgresSingleAppend());
}
if (run("nats")) rows.push(...await benchNatsStore());
if (run("iterate")) rows.push(...await benchIterateMillion());
if (run("reads")) rows.push(...await benchReadsAtScale());
if (groups?.includes("postgres-paths")) rows.push(...await benchPostgresWritePaths());
if (run("consumers")) rows.push(...await benchConsumers());
if (run("consumers") || run("rebuild")) rows.push(...await benchRebuild());
if (run("messaging")) rows.push(...await benchMessaging());
if (run("http")) rows.push(...await benchHttp());
if (run("browse")) rows.push(...await benchBrowse());
if (run("telemetry")) rows.push(...await benchTelemetry());
if (run("effect")) rows.push(...await benchEffect());
// The same scenarios, ordo on NATS beside ordo on PostgreSQL, when both groups ran.
const find = (prefix: string) => rows.find((r) => r.scenario.startsWith(prefix));
for (
  const [nats, postgres, label] of [
    ["nats: 16 writers", "postgres: 16 writers", "16 writers, 1 message/call"],
    ["nats: 1 writer", "postgres: 1 writer", "1 writer, 100 messages/call"],
    ["nats: readPage", "postgres: readPage", "readPage catch-up"],
  ] as const
) {
  const n = find(nats);
  const p = find(postgres);
  if (n !== undefined && p !== undefined) {
    rows.push({
      scenario: `ordo on nats vs on postgres: ${label}`,
      ordo: n.ordo,
      baseline: p.ordo,
      baselineName: "ordo postgres  ",
      unit: "msg/s",
    });
  }
}
console.log(`PostgreSQL scenarios on ${POSTGRES_DRIVER_NAME}`);
report(rows);
