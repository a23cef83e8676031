// Run by nats_cluster.test.ts in a child process: the scaling guide's
// startOnNats called as a user's script calls it, on a three-node cluster.
// It appends, sends a command through the bus, closes, and must then exit
// by itself: the connection it opened keeps a process alive until closed.
import process from "node:process";
import { startOnNats } from "../../examples/nats_cluster.ts";

const ordo = await startOnNats(process.env.ORDO_NATS_URLS!.split(","));
const { positions } = await ordo.store.append("order-1", [{ type: "OrderPlaced", data: {} }]);
console.log(`appended at ${positions[0].globalPosition}`);
await ordo.bus.handleCommand("orders/place", () => "placed").ready;
console.log(await ordo.bus.sendAndWait({ type: "orders/place", data: {} }));
if (process.env.ORDO_SKIP_CLOSE === undefined) await ordo.close();
console.log("closed");
