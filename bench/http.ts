// The HTTP transport against bare HTTP, in the same run and process:
// - ordo: bus.query over createHttpTransport (deadline, retry, breaker, bearer
//   token) to a node:http server running createHttpHandler (through the node
//   adapter) over an in-process transport;
// - bare: fetch with the same JSON to a node:http server whose handler parses
//   the body, calls the same function and writes the JSON answer.
// Sequential round trips on 127.0.0.1, ordo's and bare calls interleaved one
// by one; p50 and p99 latency over every measured call, calls/s of the best round.
// Target: ordo's latency at most 1.2× the bare fetch's (calls/s ≥ 1/1.2 = 0.83×).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createBus } from "../core/messaging/mod.ts";
import { createHttpHandler, createHttpTransport } from "../transports/http/mod.ts";
import { createNodeRequestListener } from "../transports/http/server/node_adapter.ts";
import { createInProcessTransport } from "../transports/in_process.ts";
import { type BenchRow, percentile } from "./_measure.ts";

const CALLS = 2_000;
const ROUNDS = 5;
const TOKEN = "bench-token-0123456789";

const show = (payload: unknown) => ({ order: payload, total: 42.5, lines: 3 });
const payload = { orderId: "o-1", customer: "c-7" };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function bareHandler(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { payload: unknown };
    const answer = JSON.stringify(show(body.payload));
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(answer),
    }).end(answer);
  });
}

/**
 * Runs the two calls CALLS times each, one after the other in turn, and
 * returns each call's microseconds: interleaving call by call gives both the
 * same machine (load from other processes, GC, the connection pool) at every
 * moment, which matters more than anything else for a ratio.
 */
async function interleaved(
  first: () => Promise<unknown>,
  second: () => Promise<unknown>,
): Promise<[number[], number[]]> {
  const a = new Array<number>(CALLS);
  const b = new Array<number>(CALLS);
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await first();
    const t1 = performance.now();
    await second();
    a[i] = (t1 - t0) * 1000;
    b[i] = (performance.now() - t1) * 1000;
  }
  return [a, b];
}

/** Calls per second over a set of latencies in microseconds. */
function rate(latencies: readonly number[]): number {
  return latencies.length / (latencies.reduce((sum, l) => sum + l, 0) / 1e6);
}

/** The HTTP rows of `npm run bench`. */
export async function benchHttp(): Promise<BenchRow[]> {
  const inner = createInProcessTransport();
  createBus({ transport: inner }).handleQuery("orders/show", show);
  const handler = createHttpHandler({ transport: inner, auth: { bearer: TOKEN } });
  const ordoServer = createServer(createNodeRequestListener(handler));
  const bareServer = createServer(bareHandler);
  const ordoUrl = await listen(ordoServer);
  const bareUrl = await listen(bareServer);
  const bus = createBus({
    transport: createHttpTransport({ url: ordoUrl, auth: { bearer: TOKEN } }),
  });
  const ordoCall = () => bus.query("orders/show", payload);
  const bareCall = async () => {
    const response = await fetch(`${bareUrl}/queries/orders/show`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ payload }),
    });
    return await response.json();
  };

  // The answers must match, or the comparison means nothing.
  if (JSON.stringify(await ordoCall()) !== JSON.stringify(await bareCall())) {
    throw new Error("the two servers answer differently");
  }
  await interleaved(ordoCall, bareCall); // warm-up
  const ordo: number[] = [];
  const bare: number[] = [];
  let ordoRate = 0;
  let bareRate = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const [a, b] = await interleaved(ordoCall, bareCall);
    ordo.push(...a);
    bare.push(...b);
    // The best round of each, as the other benchmarks report rates.
    ordoRate = Math.max(ordoRate, rate(a));
    bareRate = Math.max(bareRate, rate(b));
  }
  await bus.close();
  await handler.close();
  await inner.close();
  for (const server of [ordoServer, bareServer]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  ordo.sort((x, y) => x - y);
  bare.sort((x, y) => x - y);
  return [
    {
      scenario: "HTTP query (bus + client -> handler) p50",
      ordo: percentile(ordo, 0.5),
      baseline: percentile(bare, 0.5),
      baselineName: "bare fetch p50",
      unit: "µs",
    },
    {
      scenario: "HTTP query (bus + client -> handler) p99",
      ordo: percentile(ordo, 0.99),
      baseline: percentile(bare, 0.99),
      baselineName: "bare fetch p99",
      unit: "µs",
    },
    {
      scenario: "HTTP query (bus + client -> handler)",
      ordo: ordoRate,
      baseline: bareRate,
      baselineName: "bare fetch",
      unit: "calls/s",
      target: 0.83,
    },
  ];
}
