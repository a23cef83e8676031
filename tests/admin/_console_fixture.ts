// What the console's browser tests stand on: Debian's chromium (found on
// PATH, never downloaded), a console served over node:http from this
// process with consumers running beside it, and where screenshots go.
import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import process from "node:process";
import {
  type Consumer,
  createConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
  type EventStore,
  type MemoryConsumerStorage,
  silentLogger,
} from "../../mod.ts";
import { type AdminHandler, createAdminHandler } from "../../admin/mod.ts";
import { createNodeRequestListener } from "../../transports/http/server/node_adapter.ts";
import { ROOT } from "../_paths.ts";
import { RUNTIME } from "../cli/_cli_fixture.ts";

/** Chromium's executable: `CHROMIUM_PATH`, else `chromium` or `chromium-browser` on PATH; `undefined` when none. */
/**
 * Resolves once the text of `selector` on `page` satisfies `check`, polling for up to 20 s; the
 * failure says what the text was.
 */
export async function textOn(
  page: { $eval(selector: string, read: (node: Element) => string): Promise<string> },
  selector: string,
  check: (text: string) => boolean,
  what: string,
): Promise<string> {
  const deadline = Date.now() + 20_000;
  let text = "";
  while (Date.now() < deadline) {
    text = await page.$eval(selector, (node) => node.textContent ?? "").catch(() => "");
    if (check(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: "${selector}" reads "${text}"`);
}

export function findChromium(): string | undefined {
  const given = process.env.CHROMIUM_PATH;
  if (given !== undefined && existsSync(given)) return given;
  for (const dir of (process.env.PATH ?? "").split(":")) {
    for (const name of ["chromium", "chromium-browser"]) {
      if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

/** Where a test's screenshot goes: `ORDO_SCREENSHOTS` (the README's come from `docs/screenshots`), else test-output/. */
export function screenshotPath(name: string): string {
  const dir = process.env.ORDO_SCREENSHOTS ?? join(ROOT, "test-output", "console", RUNTIME.name);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

/** Opens and closes a gate a handler waits at. */
export class Gate {
  #open = true;
  #waiting: (() => void)[] = [];
  close(): void {
    this.#open = false;
  }
  open(): void {
    this.#open = true;
    for (const resume of this.#waiting.splice(0)) resume();
  }
  async pass(): Promise<void> {
    if (!this.#open) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
}

/** The console under test and what runs beside it. */
export interface ConsoleRig {
  readonly url: string;
  readonly store: EventStore;
  readonly storage: MemoryConsumerStorage;
  readonly handled: Set<string>;
  readonly slow: Gate;
  /** Set to let the totals consumer handle the message it parks. */
  fix(): void;
  /** The id of the message the totals consumer parks until fixed. */
  readonly poison: string;
  close(): Promise<void>;
}

/** Options of {@link startConsole}. */
export interface StartConsoleOptions {
  /** What the console reads instead of the store (the consumers keep the store): to make it fail or hang. */
  readonly wrap?: (store: EventStore) => EventStore;
  /** The console's `requestTimeout`; its default (5 s) unless given. */
  readonly requestTimeout?: number;
}

/** Seeds a memory store, starts two consumers and the console on a free port. */
export async function startConsole(options: StartConsoleOptions = {}): Promise<ConsoleRig> {
  const store = createMemoryStore();
  const storage = createMemoryConsumerStorage();
  const handled = new Set<string>();
  const slow = new Gate();
  let fixed = false;
  const trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  let poison = "";
  for (let i = 1; i <= 12; i++) {
    const result = await store.append(`order-${i}`, [{
      type: "OrderPlaced",
      data: { total: i === 3 ? 7 : i * 10 },
      metadata: { correlationId: `checkout-${i}`, traceparent: trace },
    }]);
    if (i === 3) poison = result.positions[0].id;
  }
  const [placed] = await store.readStream("order-1");
  await store.append("order-1", [{
    type: "OrderShipped",
    data: { carrier: "DHL" },
    metadata: { correlationId: "checkout-1", causationId: placed.id, traceparent: trace },
  }]);
  await store.append("user-1", [{ type: "UserJoined", data: { name: "Ann" } }]);
  const consumers: Consumer[] = [
    createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      logger: silentLogger,
      controlInterval: 100,
      retry: { maxAttempts: 1, initialDelay: 0, maxDelay: 0 },
      handler: (m) => {
        if (!fixed && (m.data as { total?: number }).total === 7) {
          throw new RangeError("total 7 is cursed");
        }
        handled.add(m.id);
      },
    }),
    createConsumer(store, {
      group: "slow",
      source: { category: "user" },
      storage,
      logger: silentLogger,
      controlInterval: 100,
      handler: async () => await slow.pass(),
    }),
  ];
  await Promise.all(consumers.map((c) => c.caughtUp));
  const handler: AdminHandler = createAdminHandler({
    store: options.wrap?.(store) ?? store,
    storage,
    auth: {
      operator: { bearer: { token: "operator-token-7f3a9c", name: "ops" } },
      viewer: { bearer: "viewer-token-5b2e8d41" },
    },
    sampleInterval: 300,
    logger: silentLogger,
    ...(options.requestTimeout === undefined ? {} : { requestTimeout: options.requestTimeout }),
  });
  const server: Server = createServer(createNodeRequestListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    store,
    storage,
    handled,
    slow,
    poison,
    fix: () => (fixed = true),
    close: async () => {
      slow.open();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await closed;
      await handler.close();
      await Promise.all(consumers.map((c) => c.stop()));
    },
  };
}
