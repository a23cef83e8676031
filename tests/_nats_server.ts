// Real NATS servers for the tests: Debian's `nats-server` (2.9) started by the
// test itself on 127.0.0.1 at free ports, in scratch directories removed
// afterwards. One node per test process, shared by every file that runs in it
// (Deno and Bun run all files in one process; Node one process per file), and
// three-node JetStream clusters for the fault tests. Without `nats-server` on
// the machine, `natsServerMissing` says why and the NATS tests skip.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

/** The nats-server binary: `ORDO_NATS_SERVER`, else the one on PATH, else Debian's path. */
function findServer(): string | undefined {
  const candidates = [process.env.ORDO_NATS_SERVER, "nats-server", "/usr/sbin/nats-server"];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === "") continue;
    const probe = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

const binary = findServer();

/**
 * Why the NATS tests cannot run here, or `undefined` when they can: shown as
 * the name of the skipped test.
 */
export const natsServerMissing: string | undefined = binary === undefined
  ? "SKIPPED, no nats-server: install it (apt-get install nats-server, or set ORDO_NATS_SERVER to its path) to run the NATS tests against a real server"
  : undefined;

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port, or rejects after `timeout` ms. */
async function listening(port: number, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One nats-server process, which can be killed and started again with the same data. */
export interface NatsNode {
  readonly name: string;
  /** Client URL, `nats://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** WebSocket URL (`ws://127.0.0.1:PORT`), when the node listens for WebSocket clients. */
  readonly wsUrl?: string;
  /** Whether the process is running. */
  readonly running: boolean;
  /** Sends SIGKILL and waits for the process to end; its data stays. */
  kill(): Promise<void>;
  /** Starts the process again on the same ports and data. */
  start(): Promise<void>;
  /** Output so far, for failure messages. */
  output(): string;
}

class NodeProcess implements NatsNode {
  #child: ChildProcess | undefined;
  #log = "";
  constructor(
    readonly name: string,
    readonly port: number,
    readonly args: readonly string[],
    readonly wsPort?: number,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  get wsUrl(): string | undefined {
    return this.wsPort === undefined ? undefined : `ws://127.0.0.1:${this.wsPort}`;
  }
  get running(): boolean {
    return this.#child !== undefined;
  }

  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    const child = spawn(binary!, [...this.args], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    const keep = (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    child.once("exit", () => {
      if (this.#child === child) this.#child = undefined;
    });
    await listening(this.port);
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.#child = undefined;
  }

  output(): string {
    return this.#log;
  }
}

/** A running single node or cluster, with its scratch directory. */
export interface NatsServer {
  readonly nodes: readonly NatsNode[];
  /** Client URLs of every node. */
  readonly urls: readonly string[];
  /** Stops every node and removes the data. */
  stop(): Promise<void>;
}

/** How a single node is started: `maxPayload` is the server's max_payload in bytes (default 1 MiB). */
interface SingleOptions {
  readonly websocket?: boolean;
  readonly maxPayload?: number;
}

async function single(options: SingleOptions = {}): Promise<NatsServer> {
  const dir = await mkdtemp(join(tmpdir(), "ordo-nats-"));
  const port = await freePort();
  const wsPort = options.websocket ? await freePort() : undefined;
  const config = [
    `server_name: n1`,
    `listen: "127.0.0.1:${port}"`,
    `jetstream { store_dir: "${join(dir, "js")}" }`,
    ...(options.maxPayload === undefined ? [] : [`max_payload: ${options.maxPayload}`]),
    ...(wsPort === undefined ? [] : [`websocket { listen: "127.0.0.1:${wsPort}", no_tls: true }`]),
  ].join("\n");
  const file = join(dir, "n1.conf");
  await writeFile(file, config);
  const node = new NodeProcess("n1", port, ["-c", file], wsPort);
  await node.start();
  return {
    nodes: [node],
    urls: [node.url],
    async stop() {
      await node.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a three-node JetStream cluster on loopback ports. JetStream answers
 * some time after the nodes listen: wait with `waitForJetStream` before use.
 */
export async function startNatsCluster(size = 3): Promise<NatsServer> {
  const dir = await mkdtemp(join(tmpdir(), "ordo-nats-cluster-"));
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routes = await Promise.all(Array.from({ length: size }, () => freePort()));
  const nodes: NodeProcess[] = [];
  for (let i = 0; i < size; i++) {
    const name = `n${i + 1}`;
    const config = [
      `server_name: ${name}`,
      `listen: "127.0.0.1:${ports[i]}"`,
      `jetstream { store_dir: "${join(dir, name)}" }`,
      `cluster {`,
      `  name: ordo`,
      `  listen: "127.0.0.1:${routes[i]}"`,
      `  routes: [${routes.map((p) => `"nats-route://127.0.0.1:${p}"`).join(", ")}]`,
      `}`,
    ].join("\n");
    const file = join(dir, `${name}.conf`);
    await writeFile(file, config);
    nodes.push(new NodeProcess(name, ports[i], ["-c", file]));
  }
  await Promise.all(nodes.map((node) => node.start()));
  return {
    nodes,
    urls: nodes.map((node) => node.url),
    async stop() {
      await Promise.all(nodes.map((node) => node.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let shared: Promise<NatsServer> | undefined;
let users = 0;

/**
 * Starts (or joins) this process's single-node server, which also listens for
 * WebSocket clients. Call `release()` when done; the last user stops it.
 */
export async function startNats(): Promise<NatsServer & { release(): Promise<void> }> {
  shared ??= single({ websocket: true });
  const server = await shared;
  users++;
  let released = false;
  return {
    ...server,
    async release() {
      if (released) return;
      released = true;
      if (--users === 0) {
        shared = undefined;
        await server.stop();
      }
    },
  };
}

/** A single node of its own (not shared), for tests that stop and restart it. */
export function startPrivateNats(options: SingleOptions = {}): Promise<NatsServer> {
  return single(options);
}
