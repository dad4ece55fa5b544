import assert from "node:assert/strict";
import {
  buildListQuery,
  clampLimit,
  decodeCursor,
  encodeCursor,
  expandSourceKinds,
  InvalidCursorError,
  normalizeCwd,
} from "./thread_list_query.ts";

const ID = "01a20167-165e-73d3-a2d4-7438e01d7531";

Deno.test("cursors use the reference's spelling and round-trip", () => {
  assert.equal(encodeCursor(1795319862, ID), `2026-11-22T03:57:42Z|${ID}`);
  assert.deepEqual(decodeCursor(`2026-11-22T03:57:42Z|${ID}`), { seconds: 1795319862, id: ID });
});

Deno.test("cursor decoding accepts what 0.105 accepts", () => {
  // Fractions truncate to seconds; offsets apply; ids in any UUID spelling.
  assert.deepEqual(decodeCursor(`2026-11-22T03:57:42.500Z|${ID}`).seconds, 1795319862);
  assert.deepEqual(decodeCursor(`2026-11-22T04:57:42+01:00|${ID}`).seconds, 1795319862);
  assert.equal(decodeCursor(`2026-11-22T03:57:42Z|${ID.toUpperCase()}`).id, ID);
  assert.equal(decodeCursor(`2026-11-22T03:57:42Z|${ID.replaceAll("-", "")}`).id, ID);
});

Deno.test("malformed cursors fail with the reference's message", () => {
  for (
    const bad of [
      "",
      "garbage",
      "2026-11-22T03:57:42Z",
      "2026-11-22T03:57:42Z|zzz",
      `1795319862|${ID}`,
      `2026-02-30T03:57:42Z|${ID}`,
      `2026-11-22T03:57:42|${ID}`,
    ]
  ) {
    assert.throws(() => decodeCursor(bad), (e: unknown) => {
      assert.ok(e instanceof InvalidCursorError);
      assert.equal(e.message, `invalid cursor: ${bad}`);
      return true;
    });
  }
});

Deno.test("limit: default 25, max 100, zero behaves like one", () => {
  assert.equal(clampLimit(undefined), 25);
  assert.equal(clampLimit(null), 25);
  assert.equal(clampLimit(0), 1);
  assert.equal(clampLimit(7), 7);
  assert.equal(clampLimit(100), 100);
  assert.equal(clampLimit(500), 100);
});

Deno.test("source kinds: none means interactive; subAgent covers every sub-agent kind", () => {
  assert.deepEqual(expandSourceKinds(undefined), ["cli", "vscode"]);
  assert.deepEqual(expandSourceKinds([]), ["cli", "vscode"]);
  assert.deepEqual(expandSourceKinds(["exec"]), ["exec"]);
  assert.deepEqual(expandSourceKinds(["subAgent", "subAgentReview"]), [
    "subAgentReview",
    "subAgentCompact",
    "subAgentThreadSpawn",
    "subAgentOther",
  ]);
});

Deno.test("cwd filters compare lexically normalised paths", () => {
  assert.equal(normalizeCwd("/tmp/work/"), "/tmp/work");
  assert.equal(normalizeCwd("/tmp/./work//"), "/tmp/work");
  assert.equal(normalizeCwd("/tmp/other/../work"), "/tmp/work");
  assert.equal(normalizeCwd("/"), "/");
  assert.equal(normalizeCwd(""), "");
});

Deno.test("buildListQuery fetches one extra row and validates the cursor first", () => {
  const q = buildListQuery({ limit: 3, sortKey: "updated_at" }, "id");
  assert.equal(q.limit, 3);
  assert.equal(q.sortColumn, "updated_at");
  assert.equal(q.args.at(-1), 4);
  assert.match(q.sql, /ORDER BY updated_at DESC, id DESC LIMIT \?$/);
  assert.throws(() => buildListQuery({ cursor: "x" }, "id"), InvalidCursorError);
});
