import assert from "node:assert/strict";
import { parseThreadId, uuidErrorReason } from "./thread_ref.ts";

const ID = "01a20167-165e-73d3-a2d4-7438e01d7531";

Deno.test("thread ref: accepted spellings give the canonical id", () => {
  for (const text of [ID, ID.toUpperCase(), ID.replaceAll("-", ""), `{${ID}}`, `urn:uuid:${ID}`]) {
    assert.deepEqual(parseThreadId(text), { ok: true, id: ID }, text);
  }
  assert.equal(parseThreadId(`{${ID.replaceAll("-", "")}}`).ok, false);
});

Deno.test("thread ref: reasons are worded like the uuid crate", () => {
  const bad = (ch: string, at: number) =>
    "invalid character: expected an optional prefix of `urn:uuid:` followed by " +
    `[0-9a-fA-F-], found \`${ch}\` at ${at}`;
  assert.equal(uuidErrorReason("not-a-uuid"), bad("n", 1));
  assert.equal(uuidErrorReason(`{x${ID.slice(1)}}`), bad("x", 2));
  assert.equal(
    uuidErrorReason(""),
    "invalid length: expected length 32 for simple format, found 0",
  );
  assert.equal(
    uuidErrorReason("abc"),
    "invalid length: expected length 32 for simple format, found 3",
  );
  assert.equal(uuidErrorReason("ab-cd"), "invalid group count: expected 5, found 2");
  assert.equal(
    uuidErrorReason("01a2016-165e-73d3-a2d4-7438e01d7531"),
    "invalid group length in group 0: expected 8, found 7",
  );
  assert.equal(
    uuidErrorReason(`${ID}0`),
    "invalid group length in group 4: expected 12, found 13",
  );
  assert.deepEqual(parseThreadId("nope"), { ok: false, reason: bad("n", 1) });
});
