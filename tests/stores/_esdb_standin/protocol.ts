// The EventStoreDB gRPC protocol as @eventstore/db-client itself ships it:
// its generated service definitions and message classes (CommonJS, loaded
// with require so the stand-in builds replies with the very classes the
// generated serializers check with instanceof). Node only: the stand-in
// server always runs in a Node child process.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
export const streamsGrpc = require(
  "@eventstore/db-client/generated/streams_grpc_pb.js",
) as typeof import("@eventstore/db-client/generated/streams_grpc_pb.js");
export const streamsPb = require(
  "@eventstore/db-client/generated/streams_pb.js",
) as typeof import("@eventstore/db-client/generated/streams_pb.js");
export const sharedPb = require(
  "@eventstore/db-client/generated/shared_pb.js",
) as typeof import("@eventstore/db-client/generated/shared_pb.js");
export const statusPb = require(
  "@eventstore/db-client/generated/status_pb.js",
) as typeof import("@eventstore/db-client/generated/status_pb.js");
export const featuresGrpc = require(
  "@eventstore/db-client/generated/serverfeatures_grpc_pb.js",
) as typeof import("@eventstore/db-client/generated/serverfeatures_grpc_pb.js");
export const featuresPb = require(
  "@eventstore/db-client/generated/serverfeatures_pb.js",
) as typeof import("@eventstore/db-client/generated/serverfeatures_pb.js");
export const anyPb = require(
  "google-protobuf/google/protobuf/any_pb.js",
) as typeof import("google-protobuf/google/protobuf/any_pb.js");
export const emptyPb = require(
  "google-protobuf/google/protobuf/empty_pb.js",
) as typeof import("google-protobuf/google/protobuf/empty_pb.js");

type StreamIdentifier = import("@eventstore/db-client/generated/shared_pb.js").StreamIdentifier;
type UUID = import("@eventstore/db-client/generated/shared_pb.js").UUID;

/** A stream identifier's name as text. */
export function streamName(identifier: StreamIdentifier | undefined): string {
  const name = identifier?.getStreamName_asU8() ?? new Uint8Array();
  return new TextDecoder().decode(name);
}

export function streamIdentifier(name: string): StreamIdentifier {
  return new sharedPb.StreamIdentifier().setStreamName(new TextEncoder().encode(name));
}

/** A UUID as the client sends it (string form; the structured form is read too). */
export function uuidText(uuid: UUID | undefined): string {
  if (uuid === undefined) return "";
  if (uuid.hasStructured()) {
    const s = uuid.getStructured()!;
    const hex =
      BigInt.asUintN(64, BigInt(s.getMostSignificantBits())).toString(16).padStart(16, "0") +
      BigInt.asUintN(64, BigInt(s.getLeastSignificantBits())).toString(16).padStart(16, "0");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
      hex.slice(20)
    }`;
  }
  return uuid.getString();
}

export function uuid(text: string): UUID {
  return new sharedPb.UUID().setString(text);
}
