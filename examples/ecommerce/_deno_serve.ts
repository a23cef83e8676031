// Deno.serve, reached through globalThis so that this file also type-checks
// under tsc (which has no Deno types) and fails with a clear message on another
// runtime. Only the orders service uses it: that service runs on Deno.

/** The part of `Deno.serve` the orders service uses. */
interface DenoServe {
  serve(
    options: {
      port: number;
      hostname: string;
      onListen?: (address: { port: number; hostname: string }) => void;
    },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void> };
}

/** A running HTTP server. */
export interface DenoServer {
  /** The port it listens on (the one chosen by the system when 0 was asked). */
  readonly port: number;
  /** Stops accepting connections, lets requests in flight finish, and resolves when closed. */
  shutdown(): Promise<void>;
}

/**
 * Serves `handler` with `Deno.serve` on `hostname:port`; resolves once it listens.
 *
 * @throws {Error} when not running on Deno
 */
export function serveOnDeno(
  handler: (request: Request) => Response | Promise<Response>,
  options: { port: number; hostname: string },
): Promise<DenoServer> {
  const deno = (globalThis as { Deno?: DenoServe }).Deno;
  if (deno === undefined) {
    throw new Error(
      "The orders service serves HTTP with Deno.serve: run it with `deno run -A examples/ecommerce/orders.ts`",
    );
  }
  return new Promise((resolve) => {
    const server = deno.serve({
      port: options.port,
      hostname: options.hostname,
      onListen: (address) => resolve({ port: address.port, shutdown: () => server.shutdown() }),
    }, handler);
  });
}
