import { Schema } from "effect";
import {
  createBus,
  createInProcessTransport,
  defineContracts,
  ValidationError,
} from "../../mod.ts";

// Contracts in any Standard Schema library (Zod, Valibot, ArkType, Effect Schema…):
// the sender checks before anything is sent, the handler's side checks again.
const contracts = defineContracts({
  commands: {
    "orders/place": Schema.toStandardSchemaV1(Schema.Struct({
      orderId: Schema.String,
      quantity: Schema.Int.check(Schema.isGreaterThan(0)),
    })),
  },
});

const bus = createBus({ transport: createInProcessTransport(), contracts });
bus.handleCommand("orders/place", (command) => `placed ${command.data.quantity}`);

console.log(await bus.sendAndWait({ type: "orders/place", data: { orderId: "A1", quantity: 2 } })); // placed 2
try {
  await bus.sendAndWait({ type: "orders/place", data: { orderId: "A2", quantity: 0 } });
} catch (error) {
  if (error instanceof ValidationError) console.log(error.path); // command.data.quantity
}
