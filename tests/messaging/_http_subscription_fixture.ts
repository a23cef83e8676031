// What the HTTP event subscription tests share (outage, refusal, logging): an
// ordo HTTP server publishing the events of an in-process transport, a
// logger that keeps each line with its level and fields, and the URL of a
// port where no server listens.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type LogFields, type Logger, silentLogger } from "../../core/mod.ts";
import type { Transport } from "../../core/messaging/mod.ts";
import { createHttpHandler, type HttpPermissions } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { ALL_EVENTS, type RunningServer, startHttpServer, TOKEN } from "./_http_fixture.ts";

/** One logged line, as {@link recordingLogger} keeps it. */
export interface Line {
  readonly level: string;
  readonly message: string;
  readonly fields?: LogFields;
}

/** A logger that pushes every line (debug too) onto `lines`. */
export function recordingLogger(lines: Line[]): Logger {
  const at = (level: string) => (message: string, fields?: LogFields) =>
    void lines.push({ level, message, fields });
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

/** `http://127.0.0.1:<port>` of a port where no server listens (one was there, and closed). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** A running event server: `inner` is the transport its events come from. */
export interface EventServer {
  readonly inner: Transport;
  readonly server: RunningServer;
  /** Stops the server, then its transport. */
  close(): Promise<void>;
}

/**
 * An ordo HTTP server over a silent in-process transport, taking the bearer
 * `TOKEN` allowed `allow` (default: every event route), under `basePath`.
 */
export async function startEventServer(
  options: { readonly allow?: HttpPermissions; readonly basePath?: string } = {},
): Promise<EventServer> {
  const inner = createInProcessTransport({ logger: silentLogger });
  const handler = createHttpHandler({
    transport: inner,
    auth: { bearer: TOKEN, allow: options.allow ?? ALL_EVENTS },
    basePath: options.basePath,
    logger: silentLogger,
  });
  const server = await startHttpServer(handler);
  return {
    inner,
    server,
    close: async () => {
      await server.close();
      await inner.close();
    },
  };
}
