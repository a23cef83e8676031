/**
 * The channel on which stores NOTIFY that appends committed, and the payload
 * that carries the readable head (docs/decisions/postgres-global-order.md,
 * "Waking readers").
 *
 * @module
 */

/** The channel on which stores NOTIFY that appends committed. */
export const notifyChannel = (schema: string): string => `ordo_${schema}_appended`;

/**
 * How a NOTIFY on that channel carries a readable head, so that listeners
 * need not query one. Payloads in any other form (empty from plain SQL or
 * from older stores, a bare number from older migrations' functions) say
 * only that something committed: the listener asks for the head itself.
 */
export const HEAD_PAYLOAD_PREFIX = "head:";

/** The readable head a NOTIFY payload carries, if it carries one. */
export function headInPayload(payload: string): bigint | undefined {
  if (!payload.startsWith(HEAD_PAYLOAD_PREFIX)) return undefined;
  const digits = payload.slice(HEAD_PAYLOAD_PREFIX.length);
  return /^[0-9]{1,19}$/.test(digits) ? BigInt(digits) : undefined;
}
