// Released migrations are frozen: databases have run their text, so a change
// to it would leave those databases different from new ones without anyone
// noticing. Each text's SHA-256 is pinned here; a failure means a released
// migration was edited, and the change belongs in a new migration instead
// (docs/decisions/postgres-migrations.md). A new migration adds its line.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MIGRATIONS } from "../../stores/postgres/mod.ts";
import { SCHEMA_PLACEHOLDER } from "../../stores/postgres/migrations/mod.ts";

const RELEASED: Readonly<Record<number, string>> = {
  1: "e6eae395b27dbd57f87b63044c0ccfa960f9d7d7f252cbd9008c9c2bb10012c9",
  2: "0681cbaf4760372e396ee71128526c437b187af21431b9319e44e207e03fa99d",
  3: "b1c0e118895c50aafaf718e24a9d0448f719d77e1a27a6b82b5ff0ef1e882515",
  4: "4505e3047833957334f83cc374c0b142e41f0d3a9da85aff2cc30cf4aa1b8c44",
  5: "84041e5588591d24e034f1a7e035a32ea93073ae708a9731cedb4195c365757e",
  6: "3cfc50b5da02ad2c321abd0ec73dd2aafbe69422276b6bae3a45928e8b08c164",
  7: "2bd4cee0650a445ea877f6e1a384506851e7feab24b9f9f0c4fee3d24931906c",
  8: "c8310a61a95998376bd7105f115b78a3d3849bb737094b4b56c381b07de99b8d",
};

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("PostgreSQL migrations, frozen as released", () => {
  it("MIGRATIONS holds every pinned migration, numbered from 1 without a gap", () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      Object.keys(RELEASED).map(Number),
    );
  });

  it("each migration's text has the SHA-256 it was released with", async () => {
    for (const migration of MIGRATIONS) {
      assert.equal(
        await sha256(migration.text),
        RELEASED[migration.version],
        `migration ${migration.version}'s frozen text changed`,
      );
    }
  });

  it("script() is the frozen text with the schema's name wherever the placeholder stood", () => {
    for (const migration of MIGRATIONS) {
      assert.ok(migration.text.includes(SCHEMA_PLACEHOLDER), `migration ${migration.version}`);
      // A name no text contains, so that the substitution can be undone to compare.
      const script = migration.script("zq_schema_zq");
      assert.ok(!script.includes(SCHEMA_PLACEHOLDER));
      assert.equal(script.split("zq_schema_zq").join(SCHEMA_PLACEHOLDER), migration.text);
      // Taken literally, never as a replacement pattern ($& is the match in String.replace).
      assert.ok(migration.script("a$&b").includes("a$&b."), `migration ${migration.version}`);
    }
  });
});
