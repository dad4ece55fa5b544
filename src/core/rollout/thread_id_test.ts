import assert from "node:assert/strict";
import { newThreadId, parseUuid, uuidV7Millis } from "./thread_id.ts";

Deno.test("newThreadId makes a version 7, RFC 4122 UUID carrying the time", () => {
  const ms = Date.UTC(2026, 10, 22, 3, 57, 28, 96);
  const id = newThreadId(ms);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(uuidV7Millis(id), ms);
  assert.notEqual(newThreadId(ms), id);
});

Deno.test("newThreadId ids sort by creation time", () => {
  const ids = [1, 2, 1000, 1_800_000_000_000].map((ms) => newThreadId(ms));
  assert.deepEqual([...ids].sort(), ids);
});

Deno.test("uuidV7Millis reads the reference's ids and rejects other versions", () => {
  assert.equal(uuidV7Millis("01a20166-dc90-7721-ae44-c7391568a74f"), 1795319848080);
  assert.equal(uuidV7Millis("01a20166-dc90-4721-ae44-c7391568a74f"), null);
  assert.equal(uuidV7Millis("nope"), null);
});

Deno.test("parseUuid accepts the usual spellings and canonicalises them", () => {
  const canonical = "01a20167-165e-73d3-a2d4-7438e01d7531";
  assert.equal(parseUuid(canonical), canonical);
  assert.equal(parseUuid("01A20167-165E-73D3-A2D4-7438E01D7531"), canonical);
  assert.equal(parseUuid("01a20167165e73d3a2d47438e01d7531"), canonical);
  assert.equal(parseUuid(`{${canonical}}`), canonical);
  assert.equal(parseUuid(`urn:uuid:${canonical}`), canonical);
  assert.equal(parseUuid("zzz"), null);
  assert.equal(parseUuid(""), null);
  assert.equal(parseUuid(canonical + "0"), null);
});
