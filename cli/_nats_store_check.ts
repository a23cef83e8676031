/**
 * Whether the NATS server holds the store and the consumer bucket that
 * `--stream`, `--subject-prefix` and `--bucket` name. A store opened on a
 * stream whose subjects are another prefix's would read nothing and look
 * empty, and its `setup()` would move the stream to the new subjects, away
 * from where the service writes: so a mismatch is said, with the prefix the
 * stream has. A name that is not there is said with the ordo stores (or
 * buckets) that are: the nearest as "did you mean" when the flag was typed,
 * never put in its place.
 *
 * @module
 */

import { nearestKey, ValidationError } from "../core/mod.ts";
import { validateSubjectPrefix } from "../stores/nats/mod.ts";
import type { JetStreamApi } from "../stores/nats/jetstream/mod.ts";
import { CliFailure, CliUsageError } from "./_failure.ts";
import type { NatsNames } from "./_nats_names.ts";
import { type SeenStream, storeStreams, streamConfig, streamNames } from "./_nats_streams.ts";

// Most names a message lists.
const LISTED = 10;

/**
 * Checks the stream `names` name is an ordo store's, and, unless the command
 * `creates` them (migrate), that it has the subjects of `names.subjectPrefix`
 * and that it and the consumer bucket exist; for migrate, that a new
 * stream's subjects are free. Migrate leaves a store on other subjects to
 * its `setup()`, whose refusal is the one said (`migrateRefusal`).
 *
 * @returns what it read of the store's stream and the bucket's (`undefined`: none), each read once
 * @throws {CliFailure} saying what is missing or different and what to pass or run
 */
export async function checkNatsStore(
  api: JetStreamApi,
  names: NatsNames,
  where: string,
  creates: boolean,
): Promise<{ readonly stream?: SeenStream; readonly bucket?: SeenStream }> {
  const migrate = `ordo migrate --url ${where}${names.flags}`;
  const [stream, bucket] = await Promise.all([
    streamConfig(api, names.stream, where),
    streamConfig(api, `KV_${names.bucket}`, where),
  ]);
  if (stream !== undefined) await checkStoreStream(api, stream, names, where, creates);
  else if (creates) await checkSubjectsFree(api, names, where);
  else throw await missingStore(api, names, where, migrate);
  if (!creates && bucket === undefined) throw await missingBucket(api, names, where, migrate);
  return { stream, bucket };
}

/**
 * A store's `setup()` refusing the subject prefix (its stream holds other
 * subjects, and setup() moves no stream) in the command line's words: the
 * flag, not the option. Anything else is returned as it is.
 */
export function migrateRefusal(error: unknown): unknown {
  if (!(error instanceof ValidationError) || error.path !== "options.subjectPrefix") return error;
  const reason = error.reason.replaceAll("subjectPrefix", "--subject-prefix")
    .replace("another stream name", "another --stream");
  return new CliUsageError(`Invalid --subject-prefix ${JSON.stringify(error.value)}: ${reason}`);
}

/** Refuses a stream that is not an ordo store's, or holds another prefix's subjects. */
async function checkStoreStream(
  api: JetStreamApi,
  seen: SeenStream,
  names: NatsNames,
  where: string,
  creates: boolean,
): Promise<void> {
  const stream = `Stream "${names.stream}" on NATS at ${where}`;
  // Migrate refuses too: setup() would reconfigure the stream as a store's.
  const unchanged = creates ? "; migrate changes no stream but an ordo store's own" : "";
  const { subjects } = seen;
  const prefix = subjects.length === 1 ? /^(.+)\.>$/.exec(subjects[0])?.[1] : undefined;
  if (!seen.denyPurge || prefix === undefined || !isSubjectPrefix(prefix)) {
    const stores = await storeStreams(api, where);
    throw new CliFailure(
      `${stream} is not an ordo store's: it holds ${subjects.join(", ")}${
        seen.denyPurge ? "" : " and allows purges"
      }, where an ordo store's holds <prefix>.> and denies purges: check --stream${
        stores.length > 0 ? ` (the server's ordo stores are in ${listed(stores)})` : ""
      }${unchanged}`,
    );
  }
  // Migrate's store setup() refuses this itself (migrateRefusal says it): one refusal, not two.
  if (prefix !== names.subjectPrefix && !creates) {
    throw new CliFailure(
      `${stream} holds the subjects ${subjects[0]}, not ${names.subjectPrefix}.>: pass ` +
        `--subject-prefix ${prefix}`,
    );
  }
}

function isSubjectPrefix(prefix: string): boolean {
  try {
    validateSubjectPrefix(prefix);
    return true;
  } catch {
    return false; // `$KV.<bucket>`: a key-value bucket's stream
  }
}

/** Refuses to set up a new stream on subjects another stream holds (JetStream would refuse it). */
async function checkSubjectsFree(api: JetStreamApi, names: NatsNames, where: string) {
  const [holder] = await streamNames(api, where, `${names.subjectPrefix}.>`);
  if (holder === undefined) return;
  throw new CliFailure(
    `Cannot set up stream "${names.stream}" on NATS at ${where}: stream "${holder}" holds the ` +
      `subjects ${names.subjectPrefix}.>: pass --stream ${holder} for the store there, or ` +
      "another --subject-prefix for a new one",
  );
}

/** What to say of a store's stream that does not exist: the ordo stores there are. */
async function missingStore(
  api: JetStreamApi,
  names: NatsNames,
  where: string,
  migrate: string,
): Promise<CliFailure> {
  const stores = await storeStreams(api, where);
  const near = names.given.includes("--stream") ? nearest(names.stream, stores) : undefined;
  const [only] = stores;
  return new CliFailure(
    `No ordo store on NATS at ${where}: stream "${names.stream}" does not exist: ` + (
      near !== undefined
        ? `did you mean --stream ${near}? (or run ${migrate} to set up a new store)`
        : stores.length === 1
        ? `the server's ordo store is in stream "${only}": pass --stream ${only}, or run ${migrate} to set up a new one`
        : stores.length > 1
        ? `check --stream (the server's ordo stores are in ${
          listed(stores)
        }), or run ${migrate} to set up a new one`
        : `run ${migrate}`
    ),
  );
}

/** What to say of a consumer bucket that does not exist: the buckets there are. */
async function missingBucket(
  api: JetStreamApi,
  names: NatsNames,
  where: string,
  migrate: string,
): Promise<CliFailure> {
  const buckets = (await streamNames(api, where))
    .filter((name) => name.startsWith("KV_")).map((name) => name.slice(3));
  const near = names.given.includes("--bucket") ? nearest(names.bucket, buckets) : undefined;
  return new CliFailure(
    `No consumer storage on NATS at ${where}: bucket "${names.bucket}" does not exist: ` + (
      near !== undefined
        ? `did you mean --bucket ${near}? (or run ${migrate} to set it up)`
        : `pass the bucket the service gives createNatsConsumerStorage${
          buckets.length > 0 ? ` (the server's buckets: ${listed(buckets)})` : ""
        }, or run ${migrate} to set it up`
    ),
  );
}

/** The candidate within a third of the name's letters (two at least), as a misspelling is. */
function nearest(name: string, candidates: readonly string[]): string | undefined {
  return nearestKey(name, candidates, Math.max(2, name.length / 3));
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED).join(", ");
  return names.length > LISTED ? `${shown} and ${names.length - LISTED} more` : shown;
}
