// The name-based ids the ecommerce services derive for the messages they
// write in reaction to others: they must be real version-5 UUIDs (so any other
// implementation derives the same id), and the same on every runtime.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ValidationError } from "../../mod.ts";
import { nameBasedId } from "../../examples/ecommerce/name_based_id.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

const DNS_NAMESPACE = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

/** RFC 9562 version 5, written again with node:crypto's SHA-1 as an independent reference. */
function referenceV5(namespace: string, name: string): string {
  const hash = createHash("sha1").update(Buffer.from(namespace.replaceAll("-", ""), "hex")).update(
    name,
    "utf8",
  ).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

describe("nameBasedId()", () => {
  it("gives the published version-5 UUID of a name in the DNS namespace", async () => {
    assert.equal(
      await nameBasedId(DNS_NAMESPACE, "www.example.com"),
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
    assert.equal(
      await nameBasedId(DNS_NAMESPACE, "héllo/wörld"),
      "b1110256-c3fb-5706-b58f-729cab831072",
    );
  });

  it("agrees with an independent implementation for any namespace and name", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uuid(),
        fc.string({ unit: "binary", maxLength: 80 }),
        async (namespace, name) => {
          assert.equal(
            await nameBasedId(namespace, name),
            referenceV5(namespace.toLowerCase(), name),
          );
        },
      ),
      propertyParameters(200),
    );
  });

  it("derives different ids for different names from one message id, and the same id every time", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uuid(),
        fc.uniqueArray(fc.string({ maxLength: 20 }), { minLength: 2, maxLength: 5 }),
        async (id, names) => {
          const first = await Promise.all(names.map((name) => nameBasedId(id, name)));
          const again = await Promise.all(names.map((name) => nameBasedId(id, name)));
          assert.deepEqual(again, first);
          assert.equal(new Set(first).size, names.length);
          for (const derived of first) {
            assert.match(
              derived,
              /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
            );
          }
        },
      ),
      propertyParameters(100),
    );
  });

  it("refuses a namespace that is not a UUID", async () => {
    await assert.rejects(nameBasedId("order-1", "x"), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.path, "namespace");
      assert.match(error.message, /"order-1".*must be a UUID/);
      return true;
    });
  });
});
