// The users service's behaviour, apart from how its process starts: it handles
// `users/lock` by appending `UserLocked` to the user's stream, which the orders
// service reads before it places an order.
import type { Bus, EventStore, Registration } from "../../mod.ts";
import type { Trace } from "./_trace.ts";
import type { LockUserResult, usersContracts } from "./contracts.ts";
import { nameBasedId } from "./name_based_id.ts";

/** The stream holding a user's history. */
export const userStream = (userId: string): string => `user-${userId}`;

/** The type of the event a lock leaves in the user's stream. */
export const USER_LOCKED = "UserLocked";

/**
 * Registers the `users/lock` handler. The command runs at least once (again
 * after a crash between handler and checkpoint); the event's id is derived
 * from the command's, so a second run stores nothing new and answers the same.
 */
export function startUsersService(
  bus: Bus<typeof usersContracts>,
  store: EventStore,
  trace: Trace,
): Registration {
  return bus.handleCommand("users/lock", async (command): Promise<LockUserResult> => {
    const { userId, reason } = command.data;
    const result = await store.append(userStream(userId), [{
      id: await nameBasedId(command.id, USER_LOCKED),
      type: USER_LOCKED,
      data: { userId, reason },
      metadata: {
        causationId: command.id,
        correlationId: command.metadata.correlationId ?? command.id,
      },
    }]);
    trace(
      `locked user ${userId} (${reason})${
        result.deduplicated ? ", already recorded" : ""
      }, command ${command.id}`,
    );
    return { userId, locked: true };
  });
}
