// openTelemetry() checks its options as every other component does: a
// misspelt provider key fell back to the global provider (often none) and
// recorded nothing, and a provider of the wrong shape threw a bare TypeError
// at the first span.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { ValidationError } from "../../mod.ts";
import { openTelemetry } from "../../opentelemetry/mod.ts";

function refused(call: () => unknown, path: string, reason: RegExp): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
    assert.equal(error.path, path);
    assert.match(error.reason, reason);
    return true;
  });
}

describe("openTelemetry() options", () => {
  it("refuses an unknown key, naming the nearest valid one", () => {
    const provider = new BasicTracerProvider();
    refused(
      () => openTelemetry({ tracerprovider: provider } as never),
      "options.tracerprovider",
      /^unknown option; did you mean "tracerProvider"\?$/,
    );
    refused(
      () => openTelemetry({ meterProvder: {} } as never),
      "options.meterProvder",
      /did you mean "meterProvider"/,
    );
  });

  it("refuses options that are not an object", () => {
    refused(() => openTelemetry("x" as never), "options", /expected an options object/);
  });

  it("refuses a provider with no getTracer or getMeter, and says what it wants", () => {
    refused(
      () => openTelemetry({ tracerProvider: {} as never }),
      "options.tracerProvider",
      /OpenTelemetry provider \(an object with getTracer\(\)\)/,
    );
    refused(
      () => openTelemetry({ meterProvider: 5 as never }),
      "options.meterProvider",
      /getMeter\(\)/,
    );
  });

  it("refuses a name, version or activeContext of the wrong kind", () => {
    refused(() => openTelemetry({ name: "" }), "options.name", /non-empty string/);
    refused(() => openTelemetry({ version: 1 as never }), "options.version", /non-empty string/);
    refused(
      () => openTelemetry({ activeContext: "no" as never }),
      "options.activeContext",
      /true or false/,
    );
  });

  it("accepts every valid option", () => {
    const telemetry = openTelemetry({
      tracerProvider: new BasicTracerProvider(),
      name: "shop",
      version: "1.2.3",
      activeContext: false,
    });
    assert.equal(telemetry.enabled, true);
  });
});
