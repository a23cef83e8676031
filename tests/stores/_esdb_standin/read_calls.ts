// Streams.Read, the one server-streaming call behind three client calls:
// a stream read, a $all read, and a live $all subscription (confirmation, the
// history after its start, "caught up", then each new matching event until
// the client cancels), answered from an EventLog.
import type * as grpcTypes from "@grpc/grpc-js";
import type { ReadReq, ReadResp } from "@eventstore/db-client/generated/streams_pb.js";
import type { CallTracker } from "./call_tracker.ts";
import type { EventLog, StoredEvent } from "./event_log.ts";
import { streamIdentifier, streamName, streamsPb, uuid } from "./protocol.ts";

type ReadCall = grpcTypes.ServerWritableStream<ReadReq, ReadResp>;
type ReadOptions = InstanceType<typeof streamsPb.ReadReq.Options>;

export function readCall(log: EventLog, tracker: CallTracker) {
  return (call: ReadCall) => {
    const options = call.request.getOptions()!;
    if (options.hasStream()) readStream(call, options, log, tracker);
    else if (options.hasSubscription()) subscribeToAll(call, options, log, tracker);
    else readAll(call, options, log, tracker);
  };
}

function readStream(
  call: ReadCall,
  options: ReadOptions,
  log: EventLog,
  tracker: CallTracker,
): void {
  const streamOptions = options.getStream()!;
  const stream = streamName(streamOptions.getStreamIdentifier());
  const from = streamOptions.hasRevision()
    ? BigInt(streamOptions.getRevision())
    : streamOptions.hasEnd()
    ? "end"
    : "start";
  const forwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.FORWARDS;
  const count = Number(options.getCount());
  const id = tracker.started(call, {
    method: "Read",
    target: "stream",
    stream,
    from: String(from),
    direction: forwards ? "forwards" : "backwards",
    count,
  });
  const events = log.readStream(stream, from, forwards, count);
  if (events === undefined) {
    call.write(
      new streamsPb.ReadResp().setStreamNotFound(
        new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(stream)),
      ),
    );
  } else {
    for (const event of events) call.write(readResp(event));
  }
  tracker.finish(id);
  call.end();
}

function readAll(call: ReadCall, options: ReadOptions, log: EventLog, tracker: CallTracker): void {
  const from = allFrom(options);
  const forwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.FORWARDS;
  const count = Number(options.getCount());
  const id = tracker.started(call, {
    method: "Read",
    target: "all",
    from: String(from),
    direction: forwards ? "forwards" : "backwards",
    count,
  });
  for (const event of log.readAll(from, forwards, count)) call.write(readResp(event));
  tracker.finish(id);
  call.end();
}

function subscribeToAll(
  call: ReadCall,
  options: ReadOptions,
  log: EventLog,
  tracker: CallTracker,
): void {
  const from = allFrom(options);
  const matches = filterOf(options);
  const filter = options.hasFilter() ? options.getFilter()!.toObject() : null;
  const id = tracker.started(call, {
    method: "Read",
    target: "all",
    subscription: true,
    from: String(from),
    filter,
  });
  call.write(
    new streamsPb.ReadResp().setConfirmation(
      new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(`standin-${id}`),
    ),
  );
  // A subscription from a position starts after the event there.
  const history = from === "end"
    ? []
    : log.readAll(from, true, Number.MAX_SAFE_INTEGER).filter((e) =>
      from === "start" || e.position > from
    );
  for (const event of history) if (matches(event)) call.write(readResp(event));
  call.write(new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp()));
  const stop = log.listen((event) => {
    if (!matches(event)) return;
    call.write(readResp(event));
    tracker.report({ event: "pushed", id, eventId: event.id, stream: event.stream });
  });
  call.on("cancelled", stop);
}

function allFrom(options: ReadOptions): bigint | "start" | "end" {
  const all = options.getAll()!;
  if (all.hasPosition()) return BigInt(all.getPosition()!.getCommitPosition());
  return all.hasEnd() ? "end" : "start";
}

// The subscription filter: stream-name or event-type prefixes and/or a regex.
function filterOf(options: ReadOptions): (event: StoredEvent) => boolean {
  if (!options.hasFilter()) return () => true;
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() === "" ? undefined : new RegExp(expression.getRegex());
  return (event) => {
    const subject = onStream ? event.stream : event.metadata.type ?? "";
    return (prefixes.length === 0 || prefixes.some((p) => subject.startsWith(p))) &&
      (regex === undefined || regex.test(subject));
  };
}

function readResp(event: StoredEvent): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuid(event.id))
    .setStreamIdentifier(streamIdentifier(event.stream))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.position))
    .setPreparePosition(String(event.position))
    .setData(event.data)
    .setCustomMetadata(event.customMetadata);
  for (const [key, value] of Object.entries(event.metadata)) {
    recorded.getMetadataMap().set(key, value);
  }
  return new streamsPb.ReadResp().setEvent(
    new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position)),
  );
}
