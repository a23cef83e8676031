// The e-commerce README's shell commands are copied by hand into a terminal:
// the token its curl lines send must be the one it starts the orders service
// with, or the first thing a reader sees is a 401 (it once sent "secret").
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { join } from "node:path";
import { ROOT } from "../_paths.ts";

const readme = readFileSync(join(ROOT, "examples/ecommerce/README.md"), "utf8");

describe("examples/ecommerce/README.md", () => {
  it("sends the bearer token it starts the orders service with", () => {
    const started = new Set([...readme.matchAll(/ORDERS_TOKEN=(\S+)/g)].map((m) => m[1]));
    assert.equal(started.size, 1, `one ORDERS_TOKEN, found ${[...started].join(", ")}`);
    const sent = [...readme.matchAll(/authorization: Bearer ([^'"\s]+)/g)].map((m) => m[1]);
    assert.ok(sent.length > 0, "the README sends a bearer token");
    assert.deepEqual(new Set(sent), started);
  });
});
