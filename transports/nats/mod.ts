/**
 * @module
 * The NATS transport, for services on different machines: commands durable on
 * a JetStream work-queue stream (one handler per command, at least once,
 * deduplicated by id with no time limit), queries over core NATS
 * request/reply (stored nowhere, timed out by the bus), events appended to the
 * NATS store and delivered to each group by a durable consumer of its own, in
 * order per stream. Connections reconnect and resubscribe by themselves after
 * a server restart; pulls deliver only as fast as handlers finish, and a full
 * command queue pushes back on senders. It takes a NATS connection and the
 * `headers` factory and imports only types, so this entry loads from a URL.
 * Decisions and limits: docs/decisions/nats.md.
 *
 * Runs on: Node 20+, Bun and Deno (with `@nats-io/transport-node`), and over
 * WebSocket (`wsconnect`) wherever a global `WebSocket` exists.
 *
 * @example
 * ```ts ignore
 * import { connect, headers } from "@nats-io/transport-node";
 * import { createBus } from "../../mod.ts";
 * import { createNatsStore } from "../../stores/nats/mod.ts";
 * import { createNatsTransport } from "./mod.ts";
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const store = createNatsStore(nc, { headers });
 * const transport = createNatsTransport(nc, { headers, store });
 * await store.setup();
 * await transport.setup();
 * const bus = createBus({ transport });
 * bus.handleCommand("users/lock", (command) => ({ locked: command.data }));
 * console.log(await bus.sendAndWait({ type: "users/lock", data: "u-1" }));
 * ```
 */

export { createNatsTransport, type NatsTransport } from "./nats_transport.ts";
export type { CreateNatsTransportOptions } from "./_options.ts";
export {
  listNatsEventGroups,
  type ListNatsEventGroupsOptions,
  type NatsEventGroup,
} from "./event_groups.ts";
