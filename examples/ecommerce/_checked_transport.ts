// A transport that checks commands and queries against contracts before
// passing them on. The orders service puts it between its HTTP front and its
// store-backed transport: a client that is not an ordo bus (curl, another
// language) skips the sender-side check, and without this a malformed command
// would be stored, retried by the handler, parked and only then refused.
// Checked here, it is refused at once with a ValidationError (HTTP 400), and
// a name the contracts do not hold with a NotFoundError (HTTP 404).
import type { BusContracts, Transport } from "../../mod.ts";
import { validateStandard } from "../../core/mod.ts";
import { NotFoundError } from "../../mod.ts";

/** Wraps `inner` so `send`, `sendAndWait` and `query` validate against `contracts` first. */
export function checkedTransport(inner: Transport, contracts: BusContracts): Transport {
  const check = async (
    section: "commands" | "queries",
    name: string,
    value: unknown,
    path: string,
  ): Promise<unknown> => {
    const schema = contracts[section]?.[name];
    if (schema === undefined) {
      throw new NotFoundError(
        section === "commands" ? "command" : "query",
        name,
        "not served here",
      );
    }
    return await validateStandard(schema, value, path);
  };
  return {
    // The HTTP handler over this transport traces requests with the inner one's telemetry.
    telemetry: inner.telemetry,
    send: async (command, options) =>
      inner.send({
        ...command,
        data: await check("commands", command.type, command.data, "command.data"),
      }, options),
    sendAndWait: async (command, options) =>
      inner.sendAndWait({
        ...command,
        data: await check("commands", command.type, command.data, "command.data"),
      }, options),
    query: async (query, options) =>
      inner.query({
        ...query,
        payload: await check("queries", query.name, query.payload, "query.payload"),
      }, options),
    publish: (event, options) => inner.publish(event, options),
    handleCommand: (name, handler, options) => inner.handleCommand(name, handler, options),
    handleQuery: (name, handler) => inner.handleQuery(name, handler),
    subscribe: (group, selector, handler, options) =>
      inner.subscribe(group, selector, handler, options),
    close: () => inner.close(),
  };
}
