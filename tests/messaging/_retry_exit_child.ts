// Run by exit.test.ts in a child process: an in-process subscriber fails and
// waits out a ten-minute retry backoff; the bus is closed meanwhile. If the
// backoff's timer outlived close(), this process would stay up (and call the
// handler again) ten minutes later.
import { createBus, createInProcessTransport } from "../../mod.ts";

const bus = createBus({ transport: createInProcessTransport() });
let attempts = 0;
let failedOnce!: () => void;
const failed = new Promise<void>((resolve) => (failedOnce = resolve));
bus.subscribe("mailer", ["orders/placed"], () => {
  attempts++;
  failedOnce();
  throw new Error("mail server down");
}, { retry: { initialDelay: 600_000, maxDelay: 600_000, maxAttempts: 5 } });
await bus.publish({ type: "orders/placed", data: { id: 1 } });
await failed;
await bus.close();
console.log(`closed after ${attempts} attempt`);
