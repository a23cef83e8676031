// A client that gives up on a sendAndWait whose handler has not answered:
// the server's wait must end when the client goes away, whether or not the
// inner transport honours the call's signal (the in-process one does not),
// so that the handler's close() does not wait for a wait nobody reads.
// Shared by http_client_gone.test.ts and its children under Deno.serve and
// Bun.serve.
import { createBus, createInProcessTransport, type Logger } from "../../mod.ts";
import { createHttpHandler, type HttpHandler } from "../../transports/http/mod.ts";

export const GONE_TOKEN = "gone-token-0123456789";

/** What a run measured. */
export interface ClientGoneResult {
  /** Milliseconds from the client's abort until the handler's answer settled; `null` if it had not within `cap`, `undefined` when not watched. */
  readonly settledMs?: number | null;
  /** Milliseconds `handler.close()` took after the abort; `null` if it had not returned within `cap`. */
  readonly closeMs: number | null;
  /** Lines logged at warn or error (a client leaving is no failure). */
  readonly logged: string[];
}

/** A handler over an in-process transport whose `slow/run` answers only at `release()`. */
export function slowHandler(): {
  handler: HttpHandler;
  started: Promise<void>;
  release(): Promise<void>;
  logged: string[];
} {
  const logged: string[] = [];
  const keep = (level: string) => (message: string) => void logged.push(`${level}: ${message}`);
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: keep("warn"),
    error: keep("error"),
  };
  const inner = createInProcessTransport({ logger });
  const bus = createBus({ transport: inner, logger });
  let begun!: () => void;
  const started = new Promise<void>((resolve) => (begun = resolve));
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  bus.handleCommand("slow/run", async () => {
    begun();
    await answered;
    return "done";
  });
  const handler = createHttpHandler({ transport: inner, auth: { bearer: GONE_TOKEN }, logger });
  return {
    handler,
    started,
    logged,
    release: async () => {
      answer();
      await bus.close();
    },
  };
}

/**
 * Sends `slow/run` with `Prefer: <prefer>` to `url` by fetch, aborts the
 * fetch once the handler runs, and measures how long the server's answer
 * (`answer()`, the handler's promise for this request, when given) and
 * `close()` take after that, up to `cap` milliseconds each.
 */
export async function abandonWait(
  url: string,
  slow: ReturnType<typeof slowHandler>,
  prefer: string,
  answer?: () => Promise<unknown>,
  cap = 3_000,
): Promise<ClientGoneResult> {
  const controller = new AbortController();
  const sent = fetch(`${url}/commands/slow/run`, {
    method: "POST",
    headers: { authorization: `Bearer ${GONE_TOKEN}`, prefer },
    body: JSON.stringify({ id: crypto.randomUUID(), data: {} }),
    signal: controller.signal,
  }).then(() => "answered", (error) => error);
  await slow.started;
  const aborted = performance.now();
  controller.abort();
  await sent;
  const settledMs = answer === undefined ? undefined : await within(answer(), cap, aborted);
  const closeMs = await within(slow.handler.close(), cap, aborted);
  return { settledMs, closeMs, logged: [...slow.logged] };
}

async function within(work: Promise<unknown>, cap: number, since: number): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const capped = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), cap)));
  const done = work.then(
    () => Math.round(performance.now() - since),
    () => Math.round(performance.now() - since),
  );
  try {
    return await Promise.race([done, capped]);
  } finally {
    clearTimeout(timer);
  }
}
