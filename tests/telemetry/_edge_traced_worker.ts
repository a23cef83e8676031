// A Cloudflare Workers module that edge_traces.test.ts bundles (esbuild, so
// OpenTelemetry's SDK comes along) and runs in workerd: an in-process bus
// with openTelemetry() over the SDK's BasicTracerProvider and an in-memory
// exporter, served by createHttpHandler. workerd has no AsyncLocalStorage
// here (no nodejs_compat flag): trace context can only travel explicitly, in
// the traceparent header and the message metadata. GET /spans answers what
// was recorded, for the test to read.
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createBus } from "../../core/messaging/mod.ts";
import { openTelemetry } from "../../opentelemetry/mod.ts";
import { createHttpHandler } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const transport = createInProcessTransport({ telemetry: openTelemetry({ tracerProvider }) });
const bus = createBus({ transport });
const accounts = new Map<string, string>();

bus.handleCommand("accounts/open", (command) => {
  const { accountId, owner } = command.data as { accountId: string; owner: string };
  accounts.set(accountId, owner);
  return { accountId };
});
bus.handleQuery("accounts/show", (payload) => {
  const { accountId } = payload as { accountId: string };
  return { accountId, owner: accounts.get(accountId) ?? null };
});

const handler = createHttpHandler({ transport, auth: { none: true }, basePath: "/ordo" });

/** workerd's module worker entry: a default export with `fetch` (the platform's contract, not ordo style). */
export default {
  fetch: (request: Request): Promise<Response> => {
    if (new URL(request.url).pathname !== "/spans") return handler.fetch(request);
    return Promise.resolve(Response.json(
      exporter.getFinishedSpans().map((span) => ({
        name: span.name,
        kind: span.kind,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        links: span.links.map((link) => link.context.spanId),
        attributes: span.attributes,
      })),
    ));
  },
};
