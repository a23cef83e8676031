// The HTTP handler inside an edge isolate: _edge_worker.ts (an in-process bus
// over the memory store, served by createHttpHandler) is compiled to
// JavaScript with the project's own build config, listed module by module in
// a generated workerd config, and served by workerd (node_modules/.bin/workerd)
// on 127.0.0.1. The test calls it with raw fetch and with a bus over
// createHttpTransport. It fails, never skips, when workerd is missing.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { access, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConcurrencyError, NotFoundError, ServerError } from "../../core/mod.ts";
import { type Bus, createBus } from "../../core/messaging/mod.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";
import { ROOT } from "../_paths.ts";
import { run } from "../_process.ts";

const WORKERD = `${ROOT}node_modules/.bin/workerd`;
const WORKER = "tests/messaging/_edge_worker.ts";
const TOKEN = "edge-token-0123456789"; // as in _edge_worker.ts

/** Compiles the worker and everything it imports into `out`, as `npm run build` compiles the package. */
async function buildWorker(work: string): Promise<string> {
  const out = join(work, "out");
  const config = join(work, "tsconfig.json");
  await writeFile(
    config,
    JSON.stringify({
      extends: join(ROOT, "tsconfig.build.json"),
      compilerOptions: { outDir: out, rootDir: ROOT, declaration: false, sourceMap: false },
      files: [join(ROOT, WORKER)],
      include: [],
    }),
  );
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const built = await run("node", [tsc, "-p", config], { cwd: ROOT, timeout: 120_000 });
  assert.equal(built.code, 0, built.stdout + built.stderr);
  return out;
}

/** Every .js file under `dir`, as a path relative to it with forward slashes. */
async function modulesIn(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...await modulesIn(dir, path));
    else if (entry.name.endsWith(".js")) found.push(path);
  }
  return found.sort();
}

/** The workerd config: the worker module first (the entry), then every module it may import, by its path. */
function capnpConfig(modules: readonly string[], main: string, port: number): string {
  const list = [main, ...modules.filter((name) => name !== main)]
    .map((name) => `    (name = "${name}", esModule = embed "out/${name}")`)
    .join(",\n");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
${list}
  ],
  compatibilityDate = "2025-09-01",
);
`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the HTTP handler in workerd (an edge isolate)", () => {
  let work: string;
  let workerd: ChildProcess;
  let output = "";
  let exited: Promise<number | null>;
  let url: string;
  let bus: Bus;

  before(async () => {
    await access(WORKERD).catch(() =>
      assert.fail(`workerd is not installed at ${WORKERD}: run npm ci`)
    );
    work = await mkdtemp(join(tmpdir(), "ordo-edge-"));
    const out = await buildWorker(work);
    const port = await freePort();
    await writeFile(
      join(work, "config.capnp"),
      capnpConfig(await modulesIn(out), WORKER.replace(/\.ts$/, ".js"), port),
    );
    workerd = spawn(WORKERD, ["serve", join(work, "config.capnp")], {
      cwd: work,
      stdio: ["ignore", "pipe", "pipe"],
    });
    workerd.stdout!.on("data", (chunk) => (output += chunk));
    workerd.stderr!.on("data", (chunk) => (output += chunk));
    exited = new Promise((resolve) => workerd.once("exit", (code) => resolve(code)));
    url = `http://127.0.0.1:${port}/ordo`;
    // Ready once it answers at all: an unauthenticated call gets its 401.
    const start = Date.now();
    for (;;) {
      const status = await fetch(`${url}/queries/accounts/show`, { method: "POST", body: "{}" })
        .then((r) => (r.body?.cancel(), r.status), () => 0);
      if (status === 401) break;
      if (workerd.exitCode !== null) {
        assert.fail(`workerd exited with ${workerd.exitCode}:\n${output}`);
      }
      if (Date.now() - start > 30_000) {
        assert.fail(`workerd did not answer within 30 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    bus = createBus({ transport: createHttpTransport({ url, auth: { bearer: TOKEN } }) });
  });

  after(async () => {
    await bus?.close();
    if (workerd !== undefined && workerd.exitCode === null) {
      // workerd drains open connections on SIGTERM (a client's idle keep-alive ones too, for many
      // seconds): it holds nothing worth draining here, so it is killed if it has not exited after 1 s.
      workerd.kill("SIGTERM");
      const timer = setTimeout(() => workerd.kill("SIGKILL"), 1_000);
      await exited;
      clearTimeout(timer);
    }
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it("answers with 401 and a Bearer challenge without the token, and with the answer with it", async () => {
    const refused = await fetch(`${url}/queries/accounts/show`, {
      method: "POST",
      body: JSON.stringify({ payload: { accountId: "none" } }),
    });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get("www-authenticate"), 'Bearer realm="ordo"');
    await refused.body?.cancel();
    const answered = await fetch(`${url}/queries/accounts/show`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ payload: { accountId: "none" } }),
    });
    assert.equal(answered.status, 200);
    assert.equal(await answered.json(), null);
  });

  it("runs commands and queries through the bus over createHttpTransport, state kept in the memory store", async () => {
    const id = crypto.randomUUID();
    const opened = await bus.sendAndWait<"accounts/open", { accountId: string; position: string }>({
      type: "accounts/open",
      id,
      data: { accountId: "a-1", owner: "ada" },
    });
    assert.equal(opened.accountId, "a-1");
    assert.deepEqual(
      await bus.sendAndWait({
        type: "accounts/open",
        id,
        data: { accountId: "a-1", owner: "ada" },
      }),
      opened,
      "a repeated id gets the first result",
    );
    assert.deepEqual(await bus.query("accounts/show", { accountId: "a-1" }), {
      accountId: "a-1",
      owner: "ada",
      version: 0,
    });

    const receipt = await bus.send({
      type: "accounts/open",
      data: { accountId: "a-2", owner: "grace" },
    });
    assert.equal(receipt.deduplicated, false);
    // send() resolves once accepted; the handler runs after it.
    let shown: unknown = null;
    for (
      const start = Date.now();
      shown === null;
      await new Promise((resolve) => setTimeout(resolve, 10))
    ) {
      assert.ok(Date.now() - start < 10_000, "the sent command was not handled within 10 s");
      shown = await bus.query("accounts/show", { accountId: "a-2" });
    }
    assert.deepEqual(shown, { accountId: "a-2", owner: "grace", version: 0 });
  });

  it("keeps error types across the isolate boundary", async () => {
    const again = await bus.sendAndWait({
      type: "accounts/open",
      data: { accountId: "a-1", owner: "eve" },
    }).catch((e) => e);
    assert.ok(again instanceof ConcurrencyError, String(again));
    assert.equal(again.streamName, "account-a-1");
    assert.equal(again.expectedVersion, "no-stream");
    assert.equal(again.actualVersion, 0);
    // A handler's own error stays in the isolate's log: the caller gets its error id only.
    await assert.rejects(
      bus.sendAndWait({ type: "accounts/close", data: {} }),
      (e) =>
        e instanceof ServerError && typeof e.errorId === "string" &&
        !/cannot be closed/.test(e.message),
    );
    await assert.rejects(
      bus.query("accounts/list", {}),
      (e) => e instanceof NotFoundError && e.target === "accounts/list",
    );
  });

  it("publishes events and streams what was published as Server-Sent Events", async () => {
    for (let n = 1; n <= 3; n++) {
      await bus.publish({ type: "accounts/audited", data: { n }, stream: `audit-${n % 2}` });
    }
    const seen: number[] = [];
    const subscription = bus.subscribe(
      "auditors",
      ["accounts/audited"],
      (event) => void seen.push((event.data as { n: number }).n),
    );
    await subscription.ready;
    assert.deepEqual(seen, [1, 2, 3]);
    await subscription.stop();
  });
});
