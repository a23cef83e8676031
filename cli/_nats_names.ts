/**
 * The names of a NATS store and its consumer storage, as the command line
 * takes them: `--stream`, `--subject-prefix` and `--bucket` are the options
 * `stream` and `subjectPrefix` of `createNatsStore` and `bucket` of
 * `createNatsConsumerStorage`, with their defaults, checked by their own
 * checks. None implies another: a service may name its stream and keep the
 * default bucket, so the command line is given what the service was.
 *
 * @module
 */

import { ValidationError } from "../core/mod.ts";
import { validateBucket, validateStreamName, validateSubjectPrefix } from "../stores/nats/mod.ts";
import { CliUsageError } from "./_failure.ts";

/** The names as the command line gave them; `undefined` where a flag was absent. */
export interface GivenNatsNames {
  readonly stream?: string;
  readonly subjectPrefix?: string;
  readonly bucket?: string;
}

/** The names to open, defaults filled in. */
export interface NatsNames {
  /** The JetStream stream holding the messages (`--stream`, default `ORDO`). */
  readonly stream: string;
  /** Every subject of the store starts with it (`--subject-prefix`, default `ordo`). */
  readonly subjectPrefix: string;
  /** The consumer storage's key-value bucket (`--bucket`, default `ordo_consumers`). */
  readonly bucket: string;
  /** The flags given, as a suggested command repeats them (` --stream SHOP`); "" when none. */
  readonly flags: string;
  /** Which flags were given (`["--stream"]`): a default is not a misspelling. */
  readonly given: readonly string[];
}

// Each flag: its option, the check and default of that option, and whose option it is.
const FLAGS = [
  ["stream", "--stream", validateStreamName, "ORDO", "createNatsStore"],
  ["subjectPrefix", "--subject-prefix", validateSubjectPrefix, "ordo", "createNatsStore"],
  ["bucket", "--bucket", validateBucket, "ordo_consumers", "createNatsConsumerStorage"],
] as const;

/** The flags among `given` that were passed (`["--stream", "--bucket"]`). */
export function natsFlagsGiven(given: GivenNatsNames): string[] {
  return FLAGS.filter(([key]) => given[key] !== undefined).map(([, flag]) => flag);
}

/**
 * The names `given` says, checked as the store and storage check them.
 *
 * @throws {CliUsageError} naming the flag whose value is not valid, and what a valid one is
 */
export function natsNames(given: GivenNatsNames): NatsNames {
  const names: Record<string, string> = {};
  let flags = "";
  for (const [key, flag, validate, fallback, factory] of FLAGS) {
    const value = given[key];
    try {
      names[key] = validate(value ?? fallback, flag);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new CliUsageError(`${error.message}: pass what the service gives ${factory} as ${key}`);
    }
    // Checked names hold only letters, digits and `_-.`: safe to repeat unquoted.
    if (value !== undefined) flags += ` ${flag} ${value}`;
  }
  return {
    stream: names.stream,
    subjectPrefix: names.subjectPrefix,
    bucket: names.bucket,
    flags,
    given: natsFlagsGiven(given),
  };
}
