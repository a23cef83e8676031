// A stand-in EventStoreDB gRPC endpoint for runtime-transport tests, run in a
// Node child process (`node --import tsx tests/stores/_esdb_standin/server.ts`)
// whatever runtime runs the test. It serves the protocol the EventStoreDB
// clients speak, from @eventstore/db-client's own generated service
// definitions over @grpc/grpc-js, on 127.0.0.1 without TLS. Its answers come
// from a toy in-memory log: they show that a client reached it and understood
// the reply, never how a real server behaves.
//
// Flags:
//   --batch-append   advertise Streams.BatchAppend in ServerFeatures (as servers
//                    since 21.10 do), so clients append over that bidirectional
//                    call; without it, over the client-streaming Append
//   --keepalive=MS   PING every client connection every MS ms (and drop one that
//                    leaves a PING unanswered for 10 s)
//   --port=N         listen on port N (default: any free port)
// stdout: one JSON object a line: {"event":"ready","port":N} first, then one per
//         call, request, answer, push and cancellation (call_tracker.ts).
// stdin:  one JSON command a line:
//         {"cmd":"append","stream":S,"id":UUID,"type":T,"data":…} appends as another
//         writer would (live subscriptions get it);
//         {"cmd":"goaway"} sends GOAWAY on every client connection and closes it.
//         The process exits when stdin closes, so it never outlives the test that started it.
import http2 from "node:http2";
import process from "node:process";
import { createInterface } from "node:readline";
import type * as grpcTypes from "@grpc/grpc-js";
import type { SupportedMethods } from "@eventstore/db-client/generated/serverfeatures_pb.js";
import { appendCall, batchAppendCall } from "./append_calls.ts";
import { createCallTracker, type Report } from "./call_tracker.ts";
import { EventLog } from "./event_log.ts";
import { featuresGrpc, featuresPb, grpc, streamsGrpc } from "./protocol.ts";
import { readCall } from "./read_calls.ts";

const flag = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const batchAppend = process.argv.includes("--batch-append");
const keepalive = Number(flag("keepalive") ?? 0);
const port = Number(flag("port") ?? 0);

const report: Report = (record) => process.stdout.write(`${JSON.stringify(record)}\n`);

// Counts the PINGs clients send (their keepalive): grpc-js does not expose its
// HTTP/2 sessions, so the stand-in watches the servers it creates through
// node:http2 (grpc-js calls http2.createServer when it binds).
// It also keeps the sessions, to send them away on a "goaway" command.
let clientPings = 0;
const sessions = new Set<http2.ServerHttp2Session>();
const createServer = http2.createServer;
(http2 as { createServer: typeof http2.createServer }).createServer =
  ((...args: Parameters<typeof http2.createServer>) => {
    const created = createServer(...args);
    created.on("session", (session) => {
      sessions.add(session);
      session.on("close", () => sessions.delete(session));
      session.on("ping", () => report({ event: "client-ping", count: ++clientPings }));
    });
    return created;
  }) as typeof http2.createServer;
const log = new EventLog();
const tracker = createCallTracker(report);

const server = new grpc.Server(
  keepalive > 0 ? { "grpc.keepalive_time_ms": keepalive, "grpc.keepalive_timeout_ms": 10_000 } : {},
);
server.addService(streamsGrpc.StreamsService, {
  read: readCall(log, tracker),
  append: appendCall(log, tracker),
  batchAppend: batchAppendCall(log, tracker),
});
server.addService(featuresGrpc.ServerFeaturesService, {
  getSupportedMethods(
    _call: grpcTypes.ServerUnaryCall<unknown, SupportedMethods>,
    callback: grpcTypes.sendUnaryData<SupportedMethods>,
  ) {
    report({ event: "call", method: "GetSupportedMethods" });
    const methods = ["Read", "Append", ...(batchAppend ? ["BatchAppend"] : [])].map((name) =>
      new featuresPb.SupportedMethod().setServiceName("event_store.client.streams.Streams")
        .setMethodName(name)
    );
    callback(
      null,
      new featuresPb.SupportedMethods().setMethodsList(methods).setEventStoreServerVersion(
        "0.0.0-standin",
      ),
    );
  },
});

server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => {
  if (error) {
    process.stderr.write(`The stand-in could not listen: ${error.message}\n`);
    process.exit(1);
  }
  report({ event: "ready", port: bound });
});

const commands = createInterface({ input: process.stdin });
commands.on("line", (line) => {
  const command = JSON.parse(line) as {
    cmd: string;
    stream: string;
    id: string;
    type: string;
    data: unknown;
  };
  if (command.cmd === "goaway") {
    // GOAWAY (CANCEL) on every connection, and the connection closed: what a server going down sends.
    for (const session of sessions) session.destroy(undefined, http2.constants.NGHTTP2_CANCEL);
    report({ event: "went-away" });
    return;
  }
  if (command.cmd !== "append") throw new Error(`Unknown stand-in command: ${line}`);
  const outcome = log.append(command.stream, { kind: "any" }, [{
    id: command.id,
    metadata: {
      type: command.type,
      "content-type": "application/json",
      created: String(BigInt(Date.now()) * 10_000n),
    },
    data: new TextEncoder().encode(JSON.stringify(command.data)),
    customMetadata: new Uint8Array(),
  }]);
  report({
    event: "appended",
    stream: command.stream,
    id: command.id,
    position: outcome.ok ? String(outcome.position) : null,
  });
});
commands.on("close", () => {
  server.forceShutdown();
  process.exit(0);
});
