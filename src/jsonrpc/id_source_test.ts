import assert from "node:assert/strict";
import { isBigRequestId, numericIdFromSource, topLevelMemberSource } from "./id_source.ts";

Deno.test("topLevelMemberSource finds only the top-level member", () => {
  assert.equal(topLevelMemberSource('{"id":12,"method":"m"}', "id"), "12");
  assert.equal(topLevelMemberSource('{ "method":"m" , "id" : "a\\"b" }', "id"), '"a\\"b"');
  assert.equal(topLevelMemberSource('{"method":"m","params":{"id":3},"id":8}', "id"), "8");
  assert.equal(topLevelMemberSource('{"params":{"id":3,"x":"zzz', "id"), null);
  assert.equal(topLevelMemberSource('{"params":["id",{"id":1}],"id":-4}', "id"), "-4");
  assert.equal(topLevelMemberSource('{"x":"\\"id\\":5","id":1.5e3}', "id"), "1.5e3");
  assert.equal(topLevelMemberSource('{"id":123', "id"), null, "a cut-off number is not trusted");
  assert.equal(topLevelMemberSource('{"\\u0069d":7}', "id"), "7");
  assert.equal(topLevelMemberSource('{"id":{"a":1}}', "id"), null);
});

Deno.test("numericIdFromSource keeps 64-bit integers exact and refuses the rest", () => {
  assert.equal(numericIdFromSource("42"), 42);
  assert.equal(numericIdFromSource("-7"), -7);
  const big = numericIdFromSource("9223372036854775807");
  assert.ok(isBigRequestId(big));
  assert.equal(JSON.stringify({ id: big }), '{"id":9223372036854775807}');
  assert.equal(numericIdFromSource("9223372036854775808"), undefined);
  assert.equal(numericIdFromSource("1.0"), undefined);
  assert.equal(numericIdFromSource("1e2"), undefined);
});
