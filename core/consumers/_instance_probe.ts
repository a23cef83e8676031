// Whether the lease store keeps a member name's instances apart, asked once
// per start. A lease store of the user's own written before instances (or
// one that drops the `instance` option) treats two instances under one name
// as one member: both hold the same partitions and handle every message, with
// no error anywhere. So once the store has accepted this instance's first
// heartbeat, the member sends one heartbeat more under the same name and a
// new instance: a store that keeps instances apart must refuse it
// (`memberNameInUse`, nothing written); one that accepts it ignores
// instances, and the member stops before it takes any partition. One call
// per start, none per message. docs/decisions/consumers.md, "A lease store
// that ignores instances".

import { ValidationError } from "../errors.ts";
import { isMemberNameInUse } from "./member_instance.ts";
import type { LeaseStore } from "./storage.ts";

/** What the probe found: the store refused the other instance, or the answer proves nothing. */
export type ProbeOutcome = "keeps-instances" | "inconclusive";

/**
 * Sends the probe heartbeat, `sentAt` being when (performance.now()) the
 * heartbeat the store accepted was sent. The probe's ttl is 1 ms, so that,
 * should this instance's membership have expired in between on a store that
 * does keep instances (it could not, unless the store answered after half a
 * `leaseTtl`), the probe's membership is gone before the next heartbeat.
 *
 * @throws {ValidationError} at `options.storage.leases` when the store accepted the other instance
 * @throws whatever else the store threw (the heartbeat's failure, retried next heartbeat)
 */
export async function probeInstances(
  leases: LeaseStore,
  at: { readonly group: string; readonly member: string; readonly leaseTtl: number },
  sentAt: number,
): Promise<ProbeOutcome> {
  const { group, member, leaseTtl } = at;
  // Too late to be sure our membership still holds: ask at the next heartbeat.
  if (performance.now() - sentAt > leaseTtl / 2) return "inconclusive";
  try {
    await leases.heartbeat(group, member, { ttl: 1, instance: crypto.randomUUID() });
  } catch (error) {
    if (isMemberNameInUse(error)) return "keeps-instances";
    throw error;
  }
  if (performance.now() - sentAt >= leaseTtl) return "inconclusive";
  throw new ValidationError(
    "options.storage.leases",
    leases,
    `the lease store accepted a heartbeat from another instance under member ${
      JSON.stringify(member)
    } while this instance held the name in group ${
      JSON.stringify(group)
    }: it ignores the instance option, so two processes started under one name would both hold the same partitions and handle every message twice. Implement LeaseStore's instance contract (keep options.instance with the membership and each lease; heartbeat throws memberNameInUse(group, member) while another instance's membership under the name is unexpired; acquire and leave act only for the holding instance), and check it with checkLeaseStore from ordo/testing`,
  );
}
