// The users service's behaviour, apart from how its process starts: it handles
// `users/lock` by appending `UserLocked` to the user's stream, which the orders
// service reads before it places an order, and `users/notify` by leaving a
// notice in the user's inbox (`inbox-<id>`).
import type { Bus, EventStore, Registration } from "../../mod.ts";
import { traceNote } from "./_telemetry.ts";
import type { Trace } from "./_trace.ts";
import type { LockUserResult, usersContracts } from "./contracts.ts";
import { nameBasedId } from "./name_based_id.ts";

/** The stream holding a user's history. */
export const userStream = (userId: string): string => `user-${userId}`;

/** The stream holding the notices a user was sent. */
export const inboxStream = (userId: string): string => `inbox-${userId}`;

/** The type of the event a lock leaves in the user's stream. */
export const USER_LOCKED = "UserLocked";

/** The type of the event a notice leaves in the user's inbox. */
export const USER_NOTIFIED = "UserNotified";

/**
 * Registers the `users/lock` and `users/notify` handlers. A command runs at
 * least once (again after a crash between handler and checkpoint); each
 * event's id is derived from its command's, so a second run stores nothing new
 * and answers the same.
 */
export function startUsersService(
  bus: Bus<typeof usersContracts>,
  store: EventStore,
  trace: Trace,
): Registration[] {
  const lock = bus.handleCommand("users/lock", async (command, ctx): Promise<LockUserResult> => {
    const { userId, reason } = command.data;
    const result = await store.append(userStream(userId), [{
      id: await nameBasedId(command.id, USER_LOCKED),
      type: USER_LOCKED,
      data: { userId, reason },
      metadata: {
        causationId: command.id,
        correlationId: command.metadata.correlationId ?? command.id,
      },
    }], { trace: ctx.trace });
    trace(
      `locked user ${userId} (${reason})${
        result.deduplicated ? ", already recorded" : ""
      }, command ${command.id}${traceNote(ctx.trace)}`,
    );
    return { userId, locked: true };
  });

  const notify = bus.handleCommand("users/notify", async (command, ctx) => {
    const { userId, orderId, text } = command.data;
    const result = await store.append(inboxStream(userId), [{
      id: await nameBasedId(command.id, USER_NOTIFIED),
      type: USER_NOTIFIED,
      data: { userId, orderId, text },
      metadata: {
        causationId: command.id,
        correlationId: command.metadata.correlationId ?? command.id,
      },
    }], { trace: ctx.trace });
    trace(
      `notified user ${userId} about order ${orderId}: ${text}${
        result.deduplicated ? ", already recorded" : ""
      }${traceNote(ctx.trace)}`,
    );
  });

  return [lock, notify];
}
