// Streams.Append (client streaming: options, then one message per event,
// then one answer) and Streams.BatchAppend (bidirectional: batches keyed by
// correlation id, answered one by one on the same call), from an EventLog.
// Appends to a stream whose own name (after any namespace) starts with
// `stall-` are never answered, so only the client's deadline can end them.
import type * as grpcTypes from "@grpc/grpc-js";
import type {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
} from "@eventstore/db-client/generated/streams_pb.js";
import type { CallTracker } from "./call_tracker.ts";
import type { EventLog, Expectation, ProposedEvent } from "./event_log.ts";
import {
  anyPb,
  emptyPb,
  sharedPb,
  statusPb,
  streamIdentifier,
  streamName,
  streamsPb,
  uuid,
  uuidText,
} from "./protocol.ts";

export function appendCall(log: EventLog, tracker: CallTracker) {
  return (
    call: grpcTypes.ServerReadableStream<AppendReq, AppendResp>,
    callback: grpcTypes.sendUnaryData<AppendResp>,
  ) => {
    const id = tracker.started(call, { method: "Append" });
    let stream = "";
    let expected: Expectation = { kind: "any" };
    const proposed: ProposedEvent[] = [];
    call.on("data", (request: AppendReq) => {
      if (request.hasOptions()) {
        const options = request.getOptions()!;
        stream = streamName(options.getStreamIdentifier());
        expected = expectation(
          options.hasRevision() ? options.getRevision() : undefined,
          options.hasNoStream(),
          options.hasStreamExists(),
        );
      } else {
        proposed.push(proposedEvent(request.getProposedMessage()!));
      }
    });
    call.on("end", () => {
      tracker.report({
        event: "request",
        id,
        stream,
        expected: describe(expected),
        ...summary(proposed),
      });
      if (stalls(stream)) return;
      const outcome = log.append(stream, expected, proposed);
      const response = new streamsPb.AppendResp();
      if (outcome.ok) {
        const position = new streamsPb.AppendResp.Position().setCommitPosition(
          String(outcome.position),
        ).setPreparePosition(String(outcome.position));
        response.setSuccess(
          new streamsPb.AppendResp.Success().setCurrentRevision(String(outcome.revision))
            .setPosition(position),
        );
      } else {
        const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
        if (outcome.current === undefined) wrong.setCurrentNoStream(new sharedPb.Empty());
        else wrong.setCurrentRevision(String(outcome.current));
        if (expected.kind === "revision") wrong.setExpectedRevision(String(expected.revision));
        else if (expected.kind === "no_stream") wrong.setExpectedNoStream(new sharedPb.Empty());
        else wrong.setExpectedStreamExists(new sharedPb.Empty());
        response.setWrongExpectedVersion(wrong);
      }
      tracker.finish(id);
      callback(null, response);
      tracker.report({
        event: "answered",
        id,
        ...(outcome.ok
          ? { revision: String(outcome.revision), position: String(outcome.position) }
          : { wrongExpectedVersion: true }),
      });
    });
  };
}

export function batchAppendCall(log: EventLog, tracker: CallTracker) {
  return (call: grpcTypes.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
    const id = tracker.started(call, { method: "BatchAppend" });
    const pending = new Map<
      string,
      { stream: string; expected: Expectation; deadline: boolean; proposed: ProposedEvent[] }
    >();
    call.on("data", (request: BatchAppendReq) => {
      const correlation = uuidText(request.getCorrelationId());
      let batch = pending.get(correlation);
      if (batch === undefined) {
        // The first request of a batch carries its options.
        const options = request.getOptions()!;
        batch = {
          stream: streamName(options.getStreamIdentifier()),
          expected: expectation(
            options.hasStreamPosition() ? options.getStreamPosition() : undefined,
            options.hasNoStream(),
            options.hasStreamExists(),
          ),
          deadline: options.hasDeadline(),
          proposed: [],
        };
        pending.set(correlation, batch);
      }
      for (const message of request.getProposedMessagesList()) {
        batch.proposed.push(proposedEvent(message));
      }
      if (!request.getIsFinal()) return;
      pending.delete(correlation);
      const { stream, expected, deadline, proposed } = batch;
      tracker.report({
        event: "request",
        id,
        correlation,
        stream,
        expected: describe(expected),
        deadlineInRequest: deadline,
        ...summary(proposed),
      });
      if (stalls(stream)) return;
      const outcome = log.append(stream, expected, proposed);
      const response = new streamsPb.BatchAppendResp().setCorrelationId(uuid(correlation))
        .setStreamIdentifier(streamIdentifier(stream));
      if (outcome.ok) {
        const position = new sharedPb.AllStreamPosition().setCommitPosition(
          String(outcome.position),
        ).setPreparePosition(String(outcome.position));
        response.setSuccess(
          new streamsPb.BatchAppendResp.Success().setCurrentRevision(String(outcome.revision))
            .setPosition(position),
        );
      } else {
        const wrong = new sharedPb.WrongExpectedVersion();
        if (outcome.current === undefined) wrong.setCurrentNoStream(new emptyPb.Empty());
        else wrong.setCurrentStreamRevision(String(outcome.current));
        const details = new anyPb.Any();
        details.pack(wrong.serializeBinary(), "event_store.client.WrongExpectedVersion");
        response.setError(
          new statusPb.Status().setCode(9).setMessage("Wrong expected version").setDetails(details),
        );
      }
      call.write(response);
      tracker.report({
        event: "answered",
        id,
        correlation,
        ...(outcome.ok
          ? { revision: String(outcome.revision), position: String(outcome.position) }
          : { wrongExpectedVersion: true }),
      });
    });
    call.on("end", () => {
      tracker.finish(id);
      call.end();
    });
  };
}

function stalls(stream: string): boolean {
  return stream.slice(stream.indexOf("/") + 1).startsWith("stall-");
}

function expectation(
  revision: string | undefined,
  noStream: boolean,
  streamExists: boolean,
): Expectation {
  if (revision !== undefined) return { kind: "revision", revision: BigInt(revision) };
  return { kind: noStream ? "no_stream" : streamExists ? "stream_exists" : "any" };
}

type ProposedMessage =
  | InstanceType<typeof streamsPb.AppendReq.ProposedMessage>
  | InstanceType<typeof streamsPb.BatchAppendReq.ProposedMessage>;

function proposedEvent(message: ProposedMessage): ProposedEvent {
  const metadata: Record<string, string> = {};
  message.getMetadataMap().forEach((value: string, key: string) => (metadata[key] = value));
  // EventStoreDB stamps the creation time in .NET ticks (100 ns) since the Unix epoch; so does the stand-in.
  metadata.created = String(BigInt(Date.now()) * 10_000n);
  return {
    id: uuidText(message.getId()),
    metadata,
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

function summary(proposed: readonly ProposedEvent[]) {
  return {
    ids: proposed.map((e) => e.id),
    types: proposed.map((e) => e.metadata.type),
    bytes: proposed.reduce((n, e) => n + e.data.length, 0),
  };
}

function describe(expected: Expectation): string {
  return expected.kind === "revision" ? String(expected.revision) : expected.kind;
}
