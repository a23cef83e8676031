// Run by exit.test.ts in a child process: calls answered at once under long
// deadlines. Nothing is closed; if a deadline's timer outlived its answered
// call, this process would stay up for the whole minute.
import { createBus, createInProcessTransport } from "../../mod.ts";

const bus = createBus({ transport: createInProcessTransport() });
bus.handleCommand("users/lock", (command) => ({ locked: command.data }));
bus.handleQuery("users/show", (id) => ({ id }));
const locked = await bus.sendAndWait({ type: "users/lock", data: "u-1" }, { timeout: 60_000 });
const shown = await bus.query("users/show", "u-2", { timeout: 45_000 });
console.log(JSON.stringify([locked, shown]));
