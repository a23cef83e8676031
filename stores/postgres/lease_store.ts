/**
 * Consumer group membership and partition leases in PostgreSQL. Expiry is
 * decided by the database's clock (`clock_timestamp()`), never a member's, so
 * members with skewed clocks still agree on who holds what.
 *
 * @module
 */

import {
  checkInstance,
  checkLeaseTtl,
  compareNames,
  type GroupLeases,
  type InstanceOption,
  type Lease,
  type LeaseOptions,
  type LeaseStore,
  memberNameInUse,
} from "../../core/mod.ts";
import type { QueryFn, Row } from "./driver.ts";

const ms = "($4::float8 * interval '1 millisecond')";

function toLease(row: Row): Lease {
  return Object.freeze({
    group: row.grp as string,
    partition: Number(row.partition),
    owner: row.owner as string,
    token: BigInt(row.token as string),
    expiresAt: Number(row.expires_at),
  });
}

const LEASE_COLUMNS =
  "grp, partition, owner, token::text AS token, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at";

/**
 * Builds the lease store over a query function (the driver's, outside any transaction).
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { createLeaseStoreOverQuery, createStoreOverDriver, pgliteDriver } from "./mod.ts";
 * const driver = pgliteDriver(new PGlite());
 * await createStoreOverDriver(driver).migrate();
 * const leases = createLeaseStoreOverQuery(driver.query, "ordo");
 * console.log(await leases.heartbeat("counter", "member-1", { ttl: 10_000 })); // [ "member-1" ]
 * ```
 */
export function createLeaseStoreOverQuery(query: QueryFn, schema: string): LeaseStore {
  return new PostgresLeases(query, schema);
}

// Members in `<schema>.members`, leases in `<schema>.leases`, each with the
// instance holding it (migration 8; NULL before it: another instance than any asking).
class PostgresLeases implements LeaseStore {
  readonly #query: QueryFn;
  readonly #schema: string;

  constructor(query: QueryFn, schema: string) {
    this.#query = query;
    this.#schema = schema;
  }

  async heartbeat(
    group: string,
    member: string,
    options: LeaseOptions & InstanceOption,
  ): Promise<string[]> {
    const s = this.#schema;
    const ttl = checkLeaseTtl(options.ttl);
    const instance = checkInstance(options.instance, member);
    // One statement: the name is taken or renewed only when free, expired or this instance's.
    const joined = await this.#query(
      `INSERT INTO ${s}.members AS m (grp, member, instance, expires_at) VALUES ($1, $2, $4, clock_timestamp() + ($3::float8 * interval '1 millisecond'))
         ON CONFLICT (grp, member) DO UPDATE SET instance = EXCLUDED.instance, expires_at = EXCLUDED.expires_at
         WHERE m.instance = EXCLUDED.instance OR m.expires_at <= clock_timestamp()
         RETURNING 1 AS joined`,
      [group, member, ttl, instance],
    );
    if (joined.length === 0) throw memberNameInUse(group, member);
    await this.#query(
      `DELETE FROM ${s}.members WHERE grp = $1 AND expires_at <= clock_timestamp()`,
      [group],
    );
    const rows = await this.#query(
      `SELECT member FROM ${s}.members WHERE grp = $1 ORDER BY member COLLATE "C"`,
      [group],
    );
    return rows.map((row) => row.member as string);
  }

  async leave(group: string, member: string, options: InstanceOption = {}): Promise<void> {
    const s = this.#schema;
    const instance = checkInstance(options.instance, member);
    await this.#query(
      `DELETE FROM ${s}.members WHERE grp = $1 AND member = $2 AND instance = $3`,
      [group, member, instance],
    );
    await this.#query(
      `UPDATE ${s}.leases SET owner = NULL WHERE grp = $1 AND owner = $2 AND instance = $3`,
      [group, member, instance],
    );
  }

  async acquire(
    group: string,
    partition: number,
    options: LeaseOptions & InstanceOption & { readonly owner: string },
  ): Promise<Lease | undefined> {
    const ttl = checkLeaseTtl(options.ttl);
    const instance = checkInstance(options.instance, options.owner);
    // Take a free or expired partition with a new token; renew one's own under the same token.
    // The holder is the owner and its instance: another instance of the owner is another holder.
    const ours = "(l.owner = EXCLUDED.owner AND l.instance = EXCLUDED.instance)";
    const rows = await this.#query(
      `INSERT INTO ${this.#schema}.leases AS l (grp, partition, owner, instance, token, expires_at)
         VALUES ($1, $2, $3, $5, 1, clock_timestamp() + ${ms})
         ON CONFLICT (grp, partition) DO UPDATE SET
           token = CASE WHEN ${ours} THEN l.token ELSE l.token + 1 END,
           owner = EXCLUDED.owner,
           instance = EXCLUDED.instance,
           expires_at = EXCLUDED.expires_at
         WHERE l.owner IS NULL OR ${ours} OR l.expires_at <= clock_timestamp()
         RETURNING ${LEASE_COLUMNS}`,
      [group, partition, options.owner, ttl, instance],
    );
    return rows.length === 0 ? undefined : toLease(rows[0]);
  }

  async release(lease: Lease): Promise<void> {
    await this.#query(
      `UPDATE ${this.#schema}.leases SET owner = NULL WHERE grp = $1 AND partition = $2 AND owner = $3 AND token = $4::bigint`,
      [lease.group, lease.partition, lease.owner, String(lease.token)],
    );
  }

  async groups(): Promise<GroupLeases[]> {
    const s = this.#schema;
    const members = await this.#query(
      `SELECT grp, member FROM ${s}.members WHERE expires_at > clock_timestamp() ORDER BY grp COLLATE "C", member COLLATE "C"`,
      [],
    );
    const leases = await this.#query(
      `SELECT ${LEASE_COLUMNS} FROM ${s}.leases WHERE owner IS NOT NULL ORDER BY grp COLLATE "C", partition`,
      [],
    );
    const groups = new Map<string, { members: string[]; leases: Lease[] }>();
    const of = (group: string) => {
      let entry = groups.get(group);
      if (entry === undefined) groups.set(group, entry = { members: [], leases: [] });
      return entry;
    };
    for (const row of members) of(row.grp as string).members.push(row.member as string);
    for (const row of leases) of(row.grp as string).leases.push(toLease(row));
    return [...groups].sort(([a], [b]) => compareNames(a, b)).map(([group, entry]) => ({
      group,
      ...entry,
    }));
  }

  async list(group: string): Promise<Lease[]> {
    const rows = await this.#query(
      `SELECT ${LEASE_COLUMNS} FROM ${this.#schema}.leases WHERE grp = $1 AND owner IS NOT NULL ORDER BY partition`,
      [group],
    );
    return rows.map(toLease);
  }
}
