// Run by nats_cluster.test.ts in a child process: the scaling guide's
// startOnNats called as a user's script calls it, on a three-node cluster.
// It appends, sends a command through the bus, closes, and must then exit
// by itself: the connection it opened keeps a process alive until closed.
// With ORDO_OUTAGE set, it closes only once every server is gone (the test
// kills them when it reads "placed"), as a Ctrl-C during an outage does.
import process from "node:process";
import { startOnNats } from "../../examples/nats_cluster.ts";

const ordo = await startOnNats(process.env.ORDO_NATS_URLS!.split(","));
const { positions } = await ordo.store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
console.log(`appended at ${positions[0].globalPosition}`);
await ordo.bus.handleCommand("orders/place", () => "placed").ready;
console.log(await ordo.bus.sendAndWait({ type: "orders/place", data: {} }));
if (process.env.ORDO_OUTAGE !== undefined) {
  for await (const status of ordo.nc.status()) if (status.type === "disconnect") break;
  console.log("servers gone");
  // As a Ctrl-C some way into the outage: the handlers' loops are retrying by then.
  await new Promise((resolve) => setTimeout(resolve, 3000));
}
const started = Date.now();
if (process.env.ORDO_SKIP_CLOSE === undefined) await ordo.close();
console.log("closed");
console.error(`close took ${Date.now() - started} ms`);
