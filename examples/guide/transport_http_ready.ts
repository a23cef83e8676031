import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createBus } from "../../mod.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";

// A port where no server listens (one did, and closed), as a server that is down.
const down = createServer();
await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
await new Promise((resolve) => down.close(resolve));

const bus = createBus({ transport: createHttpTransport({ url, auth: { bearer: "s3cret" } }) });
const billing = bus.subscribe("billing", { category: "orders" }, () => {});

// `ready` waits for the first connection, however long: bound the wait yourself.
// The subscription goes on reconnecting (logging the outage) until it is stopped.
const timeout = AbortSignal.timeout(1_000);
try {
  await Promise.race([
    billing.ready,
    new Promise((_, reject) => timeout.addEventListener("abort", () => reject(timeout.reason))),
  ]);
} catch (error) {
  console.log((error as Error).name); // TimeoutError
}
await bus.close(); // a `ready` still waiting rejects with ClosedError
await billing.ready.catch((error) => console.log(error._tag)); // ClosedError
