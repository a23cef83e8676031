// Serves a handler whose command never answers with Deno.serve or Bun.serve
// (the first argument: "deno" or "bun"), has a fetch give up on its
// sendAndWait, and prints what abandonWait measured as one JSON line.
import process from "node:process";
import { abandonWait, slowHandler } from "./_client_gone.ts";

interface Served {
  readonly url: string;
  stop(): Promise<void>;
}

type WebHandler = (request: Request) => Promise<Response>;

async function serve(server: string, fetch: WebHandler): Promise<Served> {
  const runtime = globalThis as {
    Deno?: {
      serve(
        options: { port: number; hostname: string; onListen(address: { port: number }): void },
        handler: WebHandler,
      ): { shutdown(): Promise<void> };
    };
    Bun?: {
      serve(options: { port: number; hostname: string; fetch: WebHandler }): {
        port: number;
        stop(force: boolean): Promise<void> | void;
      };
    };
  };
  if (server === "deno" && runtime.Deno !== undefined) {
    let port!: number;
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const onListen = (address: { port: number }) => {
      port = address.port;
      listening();
    };
    const served = runtime.Deno.serve({ port: 0, hostname: "127.0.0.1", onListen }, fetch);
    await ready;
    return { url: `http://127.0.0.1:${port}`, stop: () => served.shutdown() };
  }
  if (server === "bun" && runtime.Bun !== undefined) {
    const served = runtime.Bun.serve({ port: 0, hostname: "127.0.0.1", fetch });
    return {
      url: `http://127.0.0.1:${served.port}`,
      stop: async () => void await served.stop(true),
    };
  }
  throw new Error(`cannot serve with ${server} on this runtime`);
}

const prefer = process.argv[3] ?? "wait";
const slow = slowHandler();
let answer!: Promise<Response>;
const served = await serve(process.argv[2], (request) => (answer = slow.handler.fetch(request)));
const result = await abandonWait(served.url, slow, prefer, () => answer);
console.log(JSON.stringify(result));
await slow.release();
await served.stop();
process.exit(0);
