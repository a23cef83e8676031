// A child process for "does this runtime survive a server's GOAWAY on an idle
// connection?": a client connects, has no call in flight, and the server sends
// GOAWAY and closes the connection, as a server going down does. It prints
// "survived" if it is still alive afterwards. Deno 2.9.5 often is not: it
// dies inside nghttp2 (SIGSEGV, or SIGABRT on the assertion
// `stream->closed_next == NULL` in find_stream_on_goaway_func), where no
// JavaScript can catch it (denoland/deno#36788 reports the same crash).
//
//   deno run -A tests/stores/_esdb_standin/goaway_child.ts http2
//     the minimal reproduction, no gRPC: a bare node:http2 client that calls
//     session.close() in its "goaway" listener, as @grpc/grpc-js 1.14 does
//     (transport.js: goaway -> subchannel IDLE -> transport.shutdown()),
//     against a Node node:http2 server that destroys the session
//   deno run -A tests/stores/_esdb_standin/goaway_child.ts client
//     @eventstore/db-client after one append, against the stand-in
import { spawn } from "node:child_process";
import http2 from "node:http2";
import process from "node:process";
import { EventStoreDBClient, jsonEvent } from "@eventstore/db-client";
import { startStandIn } from "./start_standin.ts";

// The minimal reproduction's server, run by Node: it sends each session
// GOAWAY (CANCEL) and closes it 100 ms after it opened, then exits.
const GOAWAY_SERVER = `
const http2 = require("node:http2");
const server = http2.createServer();
server.on("session", (session) => setTimeout(() => {
  session.destroy(http2.constants.NGHTTP2_CANCEL);
  setTimeout(() => process.exit(0), 1000);
}, 100));
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

const runtime = globalThis as { Deno?: { args: string[] } };
const mode = (runtime.Deno?.args ?? process.argv.slice(2))[0];
if (mode === "http2") {
  const server = spawn("node", ["-e", GOAWAY_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) =>
    server.stdout!.once("data", (chunk) => resolve(Number(String(chunk))))
  );
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on("error", () => {});
  session.once("goaway", () => session.close());
  await new Promise((resolve) => session.once("close", resolve));
} else if (mode === "client") {
  const standin = await startStandIn();
  const client = EventStoreDBClient.connectionString(standin.url);
  await client.appendToStream("order-1", [jsonEvent({ type: "Placed", data: {} })]);
  await standin.goAway();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await standin.stop({ crash: true });
} else {
  throw new Error(`Unknown mode "${mode}": expected http2 or client`);
}
console.log("survived");
process.exit(0);
