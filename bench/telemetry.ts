// What telemetry costs the store-backed bus, in one run: commands sent (each
// send awaited, the handlers running meanwhile) and handled through the store
// (send -> append -> consumer -> handler -> checkpoint), with
// - no telemetry (the baseline),
// - openTelemetry() with OpenTelemetry's SDK recording every span to an
//   in-memory exporter and every metric to a reader,
// - openTelemetry() with no provider registered (target ≥0.98×).
// Each side keeps its own store and bus for the run; they take turns round by
// round (the order reversed every round) and each side's figure is its median
// round, so a stall of the machine falls on one round of one side, not on its
// figure. On PGlite, the embedded PostgreSQL whose costs are a deployment's,
// telemetry on is held to ≥0.9×. On the memory store a command costs a few
// microseconds of ordo's own work, less than the SDK takes to record its
// three spans and six measurements, so that ratio is reported, not held: it
// is the SDK's price, which an exporter in another process does not lower.
import { PGlite } from "@electric-sql/pglite";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createBus, type EventStore, type Telemetry } from "../mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../stores/memory/mod.ts";
import { createPGliteConsumerStorage, createPGliteStore } from "../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../transports/store_backed.ts";
import { openTelemetry } from "../opentelemetry/mod.ts";
import type { BenchRow } from "./_measure.ts";

class DiscardingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The three sides: no telemetry, the SDK recording in memory, and no provider. */
function sides(): { readonly name: string; readonly telemetry: () => Telemetry | undefined }[] {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new DiscardingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const recording = openTelemetry({ tracerProvider, meterProvider });
  // No provider: the global API with nothing registered (this process never registers one).
  const unregistered = openTelemetry();
  return [
    { name: "off", telemetry: () => undefined },
    {
      name: "on",
      telemetry: () => {
        exporter.reset();
        void reader.collect(); // metrics do not pile up between steps
        return recording;
      },
    },
    { name: "no provider", telemetry: () => unregistered },
  ];
}

interface Backend {
  readonly name: string;
  readonly commands: number;
  readonly steps: number;
  /** The ratio held for telemetry on; see the file summary for why the memory store has none. */
  readonly onTarget?: number;
  open(telemetry: Telemetry | undefined): Promise<{
    readonly store: EventStore;
    readonly storage: Parameters<typeof createStoreBackedTransport>[1]["storage"];
    close(): Promise<void>;
  }>;
}

const BACKENDS: readonly Backend[] = [
  {
    name: "memory",
    commands: 2_000,
    steps: 21,
    open: async (telemetry) => ({
      store: createMemoryStore({ telemetry }),
      storage: createMemoryConsumerStorage(),
      close: async () => {},
    }),
  },
  {
    name: "PGlite",
    commands: 200,
    steps: 21,
    onTarget: 0.9,
    open: async (telemetry) => {
      const pg = await PGlite.create();
      const store = createPGliteStore(pg, { schema: "tbench", telemetry });
      await store.migrate();
      return {
        store,
        storage: createPGliteConsumerStorage(pg, { schema: "tbench" }),
        close: () => pg.close(),
      };
    },
  },
];

/** One side's store and bus, kept for the whole run. */
interface Running {
  /** Sends `count` commands and resolves once every one is handled; the seconds it took. */
  round(count: number): Promise<number>;
  close(): Promise<void>;
}

async function start(backend: Backend, telemetry: Telemetry | undefined): Promise<Running> {
  const { store, storage, close } = await backend.open(telemetry);
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
      const began = performance.now();
      for (let i = 0; i < count; i++) {
        await bus.send({ type: "users/lock", data: { userId: `u-${i}` } });
      }
      await all;
      return (performance.now() - began) / 1000;
    },
    close: async () => {
      await bus.close();
      await store.close();
      await close();
    },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The telemetry rows of `npm run bench`. */
export async function benchTelemetry(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const backend of BACKENDS) {
    const all = sides();
    const running = await Promise.all(all.map((side) => start(backend, side.telemetry())));
    for (const side of running) await side.round(backend.commands); // warm-up
    const rates: number[][] = all.map(() => []);
    for (let step = 0; step < backend.steps; step++) {
      const order = step % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
      for (const i of order) {
        all[i].telemetry(); // the recording side drops what it recorded in the last round
        rates[i].push(backend.commands / await running[i].round(backend.commands));
      }
    }
    await Promise.all(running.map((side) => side.close()));
    const [off, on, unregistered] = rates.map(median);
    const scenario = `bus store-backed (${backend.name}): send -> handled,`;
    rows.push({
      scenario: `${scenario} telemetry on`,
      ordo: on,
      baseline: off,
      baselineName: "telemetry off",
      unit: "cmd/s",
      target: backend.onTarget,
    }, {
      scenario: `${scenario} no provider`,
      ordo: unregistered,
      baseline: off,
      baselineName: "telemetry off",
      unit: "cmd/s",
      target: 0.98,
    });
  }
  return rows;
}
