// The instrumented HTTP handler inside workerd (an edge isolate with no
// AsyncLocalStorage): _edge_traced_worker.ts is bundled with esbuild,
// OpenTelemetry's SDK included, and served by workerd on 127.0.0.1. The test
// calls it through a bus over createHttpTransport whose own telemetry records
// here, then reads the worker's spans: they continue the test's traces,
// carried by the traceparent header and the command's metadata alone.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { build } from "esbuild";
import { type Bus, createBus } from "../../mod.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";
import { ROOT } from "../_paths.ts";
import { KIND, OtelHarness } from "./_otel.ts";

const WORKERD = `${ROOT}node_modules/.bin/workerd`;

interface WorkerSpan {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly links: readonly string[];
  readonly attributes: Record<string, unknown>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function config(port: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
);
`;
}

describe("the instrumented HTTP handler in workerd", () => {
  const otel = new OtelHarness();
  let work: string;
  let workerd: ChildProcess;
  let exited: Promise<number | null>;
  let output = "";
  let url: string;
  let bus: Bus;

  before(async () => {
    await access(WORKERD).catch(() =>
      assert.fail(`workerd is not installed at ${WORKERD}: run npm ci`)
    );
    work = await mkdtemp(join(tmpdir(), "ordo-edge-traces-"));
    await build({
      entryPoints: [join(ROOT, "tests/telemetry/_edge_traced_worker.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      outfile: join(work, "worker.js"),
      logLevel: "silent",
    });
    const port = await freePort();
    await writeFile(join(work, "config.capnp"), config(port));
    workerd = spawn(WORKERD, ["serve", join(work, "config.capnp")], {
      cwd: work,
      stdio: ["ignore", "pipe", "pipe"],
    });
    workerd.stdout!.on("data", (chunk) => (output += chunk));
    workerd.stderr!.on("data", (chunk) => (output += chunk));
    exited = new Promise((resolve) => workerd.once("exit", (code) => resolve(code)));
    url = `http://127.0.0.1:${port}`;
    for (const start = Date.now();;) {
      const status = await fetch(`${url}/spans`).then((r) => (r.body?.cancel(), r.status), () => 0);
      if (status === 200) break;
      if (workerd.exitCode !== null) assert.fail(`workerd exited:\n${output}`);
      if (Date.now() - start > 30_000) assert.fail(`workerd did not answer in 30 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    bus = createBus({
      transport: createHttpTransport({
        url: `${url}/ordo`,
        auth: { none: true },
        telemetry: otel.telemetry,
      }),
    });
  });

  after(async () => {
    await bus?.close();
    if (workerd !== undefined && workerd.exitCode === null) {
      workerd.kill("SIGTERM");
      const timer = setTimeout(() => workerd.kill("SIGKILL"), 1_000);
      await exited;
      clearTimeout(timer);
    }
    await otel.shutdown();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it("continues the caller's traces: a query through the header, a command through its metadata", async () => {
    const id = crypto.randomUUID();
    assert.deepEqual(
      await bus.sendAndWait({
        type: "accounts/open",
        id,
        data: { accountId: "a-1", owner: "ada" },
      }),
      { accountId: "a-1" },
    );
    assert.deepEqual(await bus.query("accounts/show", { accountId: "a-1" }), {
      accountId: "a-1",
      owner: "ada",
    });
    const spans = await (await fetch(`${url}/spans`)).json() as WorkerSpan[];
    const one = (name: string) => {
      const found = spans.filter((span) => span.name === name);
      assert.equal(found.length, 1, `${name} among ${spans.map((s) => s.name).join(", ")}`);
      return found[0];
    };

    const send = otel.one("send accounts/open");
    const commandRequest = one("POST /ordo/commands/{name}");
    assert.equal(commandRequest.kind, KIND.server);
    assert.equal(commandRequest.traceId, send.traceId);
    assert.equal(commandRequest.parentSpanId, send.spanId);
    const process = one("process accounts/open");
    assert.equal(process.kind, KIND.consumer);
    assert.equal(process.traceId, send.traceId);
    assert.equal(process.parentSpanId, send.spanId, "the sender's span, from the metadata");
    assert.deepEqual(process.links, [send.spanId]);
    assert.equal(process.attributes["messaging.message.id"], id);

    const query = otel.one("query accounts/show");
    const queryRequest = one("POST /ordo/queries/{name}");
    assert.equal(queryRequest.traceId, query.traceId);
    assert.equal(queryRequest.parentSpanId, query.spanId);
    const answer = one("process accounts/show");
    assert.equal(answer.kind, KIND.server);
    assert.equal(answer.parentSpanId, queryRequest.spanId);
  });
});
