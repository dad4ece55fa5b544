import assert from "node:assert/strict";
import { LineSplitter, sniffRequestId } from "./framing.ts";

const enc = new TextEncoder();

Deno.test("LineSplitter splits lines across chunks and strips CR", () => {
  const s = new LineSplitter(1024);
  assert.deepEqual(s.push(enc.encode('{"a":1}\n{"b"')), [{ kind: "line", text: '{"a":1}' }]);
  assert.deepEqual(s.push(enc.encode(":2}\r\n\n  \n")), [{ kind: "line", text: '{"b":2}' }]);
  assert.deepEqual(s.push(enc.encode('{"c":3}')), []);
  assert.deepEqual(s.end(), [{ kind: "line", text: '{"c":3}' }]);
});

Deno.test("LineSplitter keeps multi-byte characters split across chunks", () => {
  const s = new LineSplitter(1024);
  const bytes = enc.encode('"é€😀"\n');
  const frames = [...s.push(bytes.subarray(0, 3)), ...s.push(bytes.subarray(3))];
  assert.deepEqual(frames, [{ kind: "line", text: '"é€😀"' }]);
});

Deno.test("LineSplitter reports an oversized line once and recovers", () => {
  const s = new LineSplitter(16);
  const frames = s.push(enc.encode('{"id":7,"method":"x","params":"0123456789"}\n{"ok":1}\n'));
  assert.equal(frames.length, 2);
  const first = frames[0]!;
  assert.equal(first.kind, "oversized");
  if (first.kind === "oversized") {
    assert.equal(first.bytes, 43);
    assert.equal(sniffRequestId(first.head), 7);
  }
  assert.deepEqual(frames[1], { kind: "line", text: '{"ok":1}' });
});

Deno.test("LineSplitter bounds memory while a huge line streams in", () => {
  const s = new LineSplitter(10);
  for (let i = 0; i < 1000; i++) assert.deepEqual(s.push(enc.encode("x".repeat(100))), []);
  const frames = s.push(enc.encode("\n"));
  assert.equal(frames[0]?.kind, "oversized");
});

Deno.test("sniffRequestId finds string and integer ids only", () => {
  assert.equal(sniffRequestId('{"method":"a","id":"abc"'), "abc");
  assert.equal(sniffRequestId('{"id": -3,'), -3);
  assert.equal(sniffRequestId('{"id": 1.5}'), null);
  assert.equal(sniffRequestId('{"params":{"id":3},"id":8,'), 8);
  assert.equal(sniffRequestId('{"method":"n","params":{"id":3,"blob":"zz'), null);
  assert.equal(sniffRequestId('{"method":"a"'), null);
});
