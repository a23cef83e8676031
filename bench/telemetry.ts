// What telemetry costs the store-backed bus, in one run: commands sent (each
// send awaited, the handlers running meanwhile) and handled through the store
// (send -> append -> consumer -> handler -> checkpoint), with
// - no telemetry (the baseline),
// - openTelemetry() with OpenTelemetry's SDK recording every span (through the
//   batch span processor a deployment runs) to an in-memory exporter, and
//   every metric to a reader,
// - openTelemetry() with no provider registered (target ≥0.98×).
//
// The figure is commands per CPU second of this process (PGlite's work
// included: it runs in the process), the rate a busy service is held to. On
// a shared machine a wall clock measures the neighbours as much as ordo; CPU
// time measures what ordo and the SDK do. The wall-clock rates are printed
// beside, for reference. Each of the two comparisons (on against off, no
// provider against off) is a run of its own; in it each side keeps its own
// store and bus (on PGlite: one database, a schema each, one instance);
// they take turns in short rounds, many of them (the order reversed every
// round), and each side's figure is its median round: the store's own cost
// varies by several percent from round to round on a loaded machine, and
// only many alternations average that out.
//
// On PGlite, whose costs are a deployment's, telemetry on is held to ≥0.9×. On
// the memory store a command costs a few microseconds of ordo's own work,
// less than the SDK takes to record its three spans and four measurements, so
// that ratio is reported, not held: it is the SDK's price, which an exporter
// in another process does not lower.
import process from "node:process";
import { PGlite } from "@electric-sql/pglite";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { type ConsumerStorage, createBus, type EventStore, type Telemetry } from "../mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../stores/memory/mod.ts";
import { createPGliteConsumerStorage, createPGliteStore } from "../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../transports/store_backed.ts";
import { openTelemetry } from "../opentelemetry/mod.ts";
import type { BenchRow } from "./_measure.ts";

class DiscardingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Side {
  readonly name: string;
  readonly telemetry: Telemetry | undefined;
  /** Before each round, outside its timing: the recording side collects and drops what it recorded. */
  readonly reset: () => Promise<unknown>;
}

/** The three sides: no telemetry, the SDK recording in memory, and no provider. */
function sides(): Side[] {
  // The batch processor a deployment runs, in front of an exporter that keeps spans in memory.
  const exporter = new InMemorySpanExporter();
  const processor = new BatchSpanProcessor(exporter, { maxQueueSize: 65_536 });
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [processor] });
  const reader = new DiscardingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return [
    { name: "off", telemetry: undefined, reset: () => Promise.resolve() },
    {
      name: "on",
      telemetry: openTelemetry({ tracerProvider, meterProvider }),
      // Measurements and gauges collected as a reader would (a deployment's every 60 s or so:
      // here between rounds, so the gauges' reads are not counted against one).
      reset: async () => {
        await processor.forceFlush(); // every span of the last round exported, none dropped
        exporter.reset();
        await reader.collect();
      },
    },
    // No provider: the global API with nothing registered (this process never registers one).
    { name: "no provider", telemetry: openTelemetry(), reset: () => Promise.resolve() },
  ];
}

interface Opened {
  readonly store: EventStore;
  readonly storage: ConsumerStorage<unknown>;
}

interface Backend {
  readonly name: string;
  readonly commands: number;
  readonly rounds: number;
  /** The ratio held for telemetry on; see the file summary for why the memory store has none. */
  readonly onTarget?: number;
  /** Opens what the sides share (a database), and each side's store in it. */
  shared(): Promise<{
    open(side: number, telemetry: Telemetry | undefined): Promise<Opened>;
    close(): Promise<void>;
  }>;
}

const BACKENDS: readonly Backend[] = [
  {
    name: "memory",
    commands: 500,
    rounds: 201,
    shared: async () => ({
      open: async (_side, telemetry) => ({
        store: createMemoryStore({ telemetry }),
        storage: createMemoryConsumerStorage() as ConsumerStorage<unknown>,
      }),
      close: async () => {},
    }),
  },
  {
    name: "PGlite",
    commands: 25,
    rounds: 121,
    onTarget: 0.9,
    shared: async () => {
      const pg = await PGlite.create();
      return {
        open: async (side, telemetry) => {
          const schema = `tbench${side}`;
          // Woken by NOTIFY; the fallback poll of the idle sides would only add noise to the active one's.
          const store = createPGliteStore(pg, { schema, telemetry, pollInterval: 60_000 });
          await store.migrate();
          const storage = createPGliteConsumerStorage(pg, { schema }) as ConsumerStorage<unknown>;
          return { store, storage };
        },
        close: () => pg.close(),
      };
    },
  },
];

/** One round's cost: wall seconds and this process's CPU seconds. */
interface Cost {
  readonly wall: number;
  readonly cpu: number;
}

/** One side's store and bus, kept for the whole run. */
interface Running {
  /** Sends `count` commands and resolves once every one is handled. */
  round(count: number): Promise<Cost>;
  close(): Promise<void>;
}

async function start(opened: Opened): Promise<Running> {
  const { store, storage } = opened;
  const bus = createBus({ transport: createStoreBackedTransport(store, { storage }) });
  let handled = 0;
  let wanted = 0;
  let done: () => void = () => {};
  const registration = bus.handleCommand("users/lock", () => {
    if (++handled === wanted) done();
  });
  await registration.ready;
  return {
    round: async (count) => {
      handled = 0;
      wanted = count;
      const all = new Promise<void>((resolve) => (done = resolve));
      const cpu = process.cpuUsage();
      const began = performance.now();
      for (let i = 0; i < count; i++) {
        await bus.send({ type: "users/lock", data: { userId: `u-${i}` } });
      }
      await all;
      const used = process.cpuUsage(cpu);
      return { wall: (performance.now() - began) / 1000, cpu: (used.user + used.system) / 1e6 };
    },
    close: async () => {
      await bus.close();
      await store.close();
    },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Each side's median rate per CPU second and per wall second over alternating rounds. */
async function measure(backend: Backend, all: readonly Side[]): Promise<Cost[]> {
  const shared = await backend.shared();
  const running: Running[] = [];
  for (const [i, side] of all.entries()) {
    running.push(await start(await shared.open(i, side.telemetry)));
  }
  for (const side of running) await side.round(backend.commands); // warm-up
  const costs: Cost[][] = all.map(() => []);
  for (let round = 0; round < backend.rounds; round++) {
    const order = all.map((_, i) => round % 2 === 0 ? i : all.length - 1 - i);
    for (const i of order) {
      await all[i].reset();
      costs[i].push(await running[i].round(backend.commands));
    }
  }
  for (const side of running) await side.close();
  await shared.close();
  return costs.map((rounds) => ({
    cpu: backend.commands / median(rounds.map((c) => c.cpu)),
    wall: backend.commands / median(rounds.map((c) => c.wall)),
  }));
}

/**
 * The telemetry rows of `npm run bench`. Each comparison alternates with its
 * own "off" side, in a run of its own: the recording side's garbage, collected
 * whenever the heap fills, must not land in the rounds of the no-provider
 * side, which runs the same code as "off" and so should measure as it does.
 */
export async function benchTelemetry(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const backend of BACKENDS) {
    const [off, recording, unregistered] = sides();
    const [offOn, on] = await measure(backend, [off, recording]);
    const [offNone, none] = await measure(backend, [off, unregistered]);
    const scenario = `bus store-backed (${backend.name}): send -> handled,`;
    rows.push({
      scenario: `${scenario} telemetry on`,
      ordo: on.cpu,
      baseline: offOn.cpu,
      baselineName: "telemetry off",
      unit: "cmd/CPU-s",
      target: backend.onTarget,
    }, {
      scenario: `${scenario} no provider`,
      ordo: none.cpu,
      baseline: offNone.cpu,
      baselineName: "telemetry off",
      unit: "cmd/CPU-s",
      target: 0.98,
    }, {
      scenario: `${scenario} wall clock, telemetry on`,
      ordo: on.wall,
      baseline: offOn.wall,
      baselineName: "telemetry off",
      unit: "cmd/s",
    }, {
      scenario: `${scenario} wall clock, no provider`,
      ordo: none.wall,
      baseline: offNone.wall,
      baselineName: "telemetry off",
      unit: "cmd/s",
    });
  }
  return rows;
}
