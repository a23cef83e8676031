/**
 * @module
 * The JetStream calls the NATS store, its consumer storage and the NATS
 * transport make, spoken over a NATS connection without a runtime import:
 * JSON API requests and acknowledged publishes through one inbox, pull
 * consumers, scans, key-value buckets in `@nats-io/kv`'s layout, subject
 * tokens, and the translation of NATS failures into ordo's errors. Internal to
 * the NATS adapters; their entries export what users need of it.
 */

export { type HeadersFactory, type NatsDriver, validateDriver } from "./driver.ts";
export {
  ConnectionOutages,
  connectionOutages,
  notedUnreachable,
  noteUnreachable,
  type OutageDuring,
} from "./connection_outages.ts";
export {
  ConnectionWatch,
  type ConnectionWatchOptions,
  NATS_CONNECTION,
} from "./connection_watch.ts";
export {
  actualLastSequence,
  type ApiAnswer,
  bytesOf,
  isWrongLastSequence,
  JetStreamApi,
  JetStreamApiFailure,
  JS_ERR,
  type MessageQuery,
  parseAnswer,
  parseHeaders,
  type PubAck,
  type PublishOptions,
  type StoredMessage,
  type StreamConfig,
  SubjectsInUse,
  textOf,
} from "./jetstream_api.ts";
export { Replies } from "./replies.ts";
export {
  type ConsumerConfig,
  type ConsumerCreated,
  createConsumer,
  deleteConsumer,
  parseAckSubject,
  type PulledMessage,
  type PullEnd,
  Puller,
  type PullOptions,
} from "./consumer_pull.ts";
export { type RecordSource, scanMessages, type ScanRange } from "./scan.ts";
export { KvBucket, type KvEntry, serverMillis, validateBucket } from "./kv_bucket.ts";
export { subjectCounts } from "./subject_counts.ts";
export { fromToken, toToken, validateSubjectPrefix } from "./tokens.ts";
export {
  isClosedConnection,
  replicasRefused,
  translateError,
  translateSetupError,
  unavailability,
} from "./translate_error.ts";
