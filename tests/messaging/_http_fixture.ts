// What the HTTP transport tests share: a real node:http server on
// 127.0.0.1:0 running a Web handler through the node adapter (node:http runs
// in all three runtimes), and a transport that is both sides of one service:
// client calls over HTTP, handler registrations on the server's inner transport.
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Transport } from "../../core/messaging/mod.ts";
import {
  createNodeRequestListener,
  type FetchHandler,
} from "../../transports/http/server/node_adapter.ts";

export const TOKEN = "test-token-0123456789";

/** Permissions for every event route: a server's credentials follow and publish nothing unless allowed. */
export const ALL_EVENTS = Object.freeze({ subscribe: ["*"], publish: ["*"] });

/** A running server. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Destroys every open connection at once (a network drop, as the client sees it). */
  dropConnections(): void;
  /** Connections open right now. */
  readonly connections: number;
  /** Connections closed so far. */
  readonly closedConnections: number;
  /** Ends the handler's streams, drops connections and stops listening. */
  close(): Promise<void>;
}

/** Starts a node:http server answering with `handler` on a free port of 127.0.0.1. */
export async function startHttpServer(
  handler: FetchHandler & { close?: () => Promise<void> },
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  let closedConnections = 0;
  const server = createServer(createNodeRequestListener(handler));
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      closedConnections++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    get connections() {
      return sockets.size;
    },
    get closedConnections() {
      return closedConnections;
    },
    close: () =>
      closed ??= (async () => {
        await handler.close?.();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections?.();
        for (const socket of sockets) socket.destroy();
        await stopped;
      })(),
  };
}

/**
 * One service seen from both ends: `send`, `sendAndWait`, `query`, `publish`
 * and `subscribe` go through `client` (over HTTP); `handleCommand` and
 * `handleQuery` register on `inner`, the transport the server exposes.
 */
export function overHttp(
  inner: Transport,
  client: Transport,
  closeServer?: () => Promise<void>,
): Transport {
  return {
    send: (command, options) => client.send(command, options),
    sendAndWait: (command, options) => client.sendAndWait(command, options),
    query: (query, options) => client.query(query, options),
    publish: (event, options) => client.publish(event, options),
    subscribe: (group, selector, handler, options) =>
      client.subscribe(group, selector, handler, options),
    handleCommand: (name, handler, options) => inner.handleCommand(name, handler, options),
    handleQuery: (name, handler) => inner.handleQuery(name, handler),
    close: async () => {
      await client.close();
      await closeServer?.();
    },
  };
}
