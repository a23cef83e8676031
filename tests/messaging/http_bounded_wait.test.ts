// A server behind a proxy that keeps the server's side of a request open
// after its client left (as a buffering proxy may): the server cannot see the
// client go, so only the client's word ends its wait. The client sends
// `Prefer: wait=<seconds until its deadline, rounded up>` with a sendAndWait
// and a query; the server waits that long, answers 504 (TimeoutError), and
// its close() does not wait for the handler that still hangs. Before, the
// client sent an unbounded `Prefer: wait` (a query: nothing), and the
// server's wait, and close() with it, lasted until the handler answered.
// A real node:http server through the node adapter, on each runtime.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { TimeoutError } from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { startHttpServer, TOKEN } from "./_http_fixture.ts";
import { keptLogger } from "../_kept_logger.ts";

/** What the proxy saw of one request: its `Prefer` header, and when and how the server answered. */
interface Forwarded {
  readonly prefer: string | undefined;
  answered?: { status: number; body: string; at: number };
}

/** A proxy to `upstream` that never ends the upstream request when its client leaves. */
async function holdingProxy(upstream: string) {
  const seen: Forwarded[] = [];
  const open = new Set<ReturnType<typeof request>>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const entry: Forwarded = { prefer: req.headers.prefer as string | undefined };
      seen.push(entry);
      const out = request(`${upstream}${req.url}`, {
        method: req.method,
        headers: { ...req.headers, host: new URL(upstream).host },
        agent: false,
      }, (answer) => {
        const body: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => body.push(chunk));
        answer.on("end", () => {
          open.delete(out);
          entry.answered = {
            status: answer.statusCode ?? 0,
            body: Buffer.concat(body).toString(),
            at: performance.now(),
          };
          if (!res.destroyed) res.writeHead(answer.statusCode ?? 502).end(Buffer.concat(body));
        });
      });
      out.on("error", () => open.delete(out));
      open.add(out);
      out.end(Buffer.concat(chunks));
    });
    // The client leaving is not passed on: the upstream request stays open.
    res.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      for (const out of open) out.destroy();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await stopped;
    },
  };
}

/** Resolves with the milliseconds `work` took from `since`, or `null` if not within `cap`. */
async function within(work: Promise<unknown>, cap: number, since: number): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const capped = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), cap)));
  const done = work.then(() => performance.now() - since, () => performance.now() - since);
  try {
    return await Promise.race([done, capped]);
  } finally {
    clearTimeout(timer);
  }
}

describe("HTTP: the client's deadline bounds the server's wait (Prefer: wait=<seconds>)", () => {
  for (const kind of ["sendAndWait", "query"] as const) {
    it(`${kind}: behind a proxy that keeps the request open, the server stops waiting at the client's deadline, rounded up, and close() does not wait for the handler`, async () => {
      const logger = keptLogger();
      const inner = createInProcessTransport({ logger });
      const service = createBus({ transport: inner, logger });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let begun!: () => void;
      const started = new Promise<void>((resolve) => (begun = resolve));
      const hang = async () => {
        begun();
        await released;
        return "late";
      };
      service.handleCommand("slow/run", hang);
      service.handleQuery("slow/show", hang);
      const handler = createHttpHandler({ transport: inner, auth: { bearer: TOKEN }, logger });
      const server = await startHttpServer(handler);
      const proxy = await holdingProxy(server.url);
      const client = createBus({
        transport: createHttpTransport({ url: proxy.url, auth: { bearer: TOKEN } }),
        retry: false,
      });
      try {
        const at = performance.now();
        const call = kind === "sendAndWait"
          ? client.sendAndWait({ type: "slow/run", data: {} }, { timeout: 300 })
          : client.query("slow/show", {}, { timeout: 300 });
        const failure = await call.then(() => "answered", (error) => error);
        const gaveUp = performance.now() - at;
        assert.ok(failure instanceof TimeoutError, String(failure));
        assert.ok(gaveUp < 1_000, `the client gave up after ${Math.round(gaveUp)} ms`);
        await started;
        assert.deepEqual(proxy.seen.map((entry) => entry.prefer), ["wait=1"]);
        // The server's answer, through the proxy: due 1 s after it got the request.
        const answered = await within(
          new Promise<void>((resolve) => {
            const poll = setInterval(() => {
              if (proxy.seen[0].answered === undefined) return;
              clearInterval(poll);
              resolve();
            }, 5);
          }),
          5_000,
          at,
        );
        assert.ok(
          answered !== null && answered >= 900 && answered < 2_500,
          `the server answered ${
            answered === null ? "not within 5 s" : `${Math.round(answered)} ms`
          } after the call began`,
        );
        const { status, body } = proxy.seen[0].answered!;
        assert.equal(status, 504, body);
        assert.equal(JSON.parse(body)._tag, "TimeoutError");
        // The handler still hangs; the server's close() has nothing of it to wait for.
        const closing = performance.now();
        const closed = await within(handler.close(), 3_000, closing);
        assert.ok(
          closed !== null && closed < 1_000,
          `handler.close() took ${closed === null ? "more than 3 s" : `${Math.round(closed)} ms`}`,
        );
        assert.deepEqual(logger.lines.filter((line) => /^(warn|error)/.test(line)), []);
      } finally {
        release();
        await client.close();
        await proxy.close();
        await server.close();
        await service.close();
      }
    });
  }
});
