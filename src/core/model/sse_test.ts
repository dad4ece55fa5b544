import assert from "node:assert/strict";
import { SseDecoder, SseError, sseEvents } from "./sse.ts";

function decodeAll(chunks: string[], maxLine?: number) {
  const d = new SseDecoder(maxLine);
  return [...chunks.flatMap((c) => d.push(c)), ...d.end()];
}

Deno.test("SseDecoder: event and data fields, blank line dispatches", () => {
  assert.deepEqual(decodeAll(['event: a\ndata: {"x":1}\n\n']), [
    { event: "a", data: '{"x":1}', id: null },
  ]);
});

Deno.test("SseDecoder: multi-line data joins with newlines; no event name means message", () => {
  assert.deepEqual(decodeAll(["data: one\ndata:two\ndata\n\n"]), [
    { event: "message", data: "one\ntwo\n", id: null },
  ]);
});

Deno.test("SseDecoder: comments, unknown fields and data-less events are ignored", () => {
  assert.deepEqual(decodeAll([": keep-alive\n\nretry: 5\nevent: x\n\nfoo: bar\ndata: d\n\n"]), [
    { event: "message", data: "d", id: null },
  ]);
});

Deno.test("SseDecoder: CRLF, lone CR and a CRLF split across chunks", () => {
  const expected = [{ event: "e", data: "1", id: null }, { event: "e", data: "2", id: null }];
  assert.deepEqual(decodeAll(["event: e\r\ndata: 1\r\n\r\nevent: e\rdata: 2\r\r"]), expected);
  assert.deepEqual(
    decodeAll(["event: e\r", "\ndata: 1\r", "\n\r", "\nevent: e\r\ndata: 2\r\n\r\n"]),
    expected,
  );
});

Deno.test("SseDecoder: fields split across arbitrary chunk boundaries", () => {
  const text = 'event: response.created\ndata: {"a":"b"}\n\nevent: z\ndata: 2\n\n';
  for (let cut = 1; cut < text.length; cut++) {
    assert.deepEqual(
      decodeAll([text.slice(0, cut), text.slice(cut)]).map((e) => e.event),
      ["response.created", "z"],
      `cut at ${cut}`,
    );
  }
});

Deno.test("SseDecoder: a leading BOM is skipped; id is remembered", () => {
  assert.deepEqual(decodeAll(["\ufeffid: 7\ndata: x\n\ndata: y\n\n"]), [
    { event: "message", data: "x", id: "7" },
    { event: "message", data: "y", id: "7" },
  ]);
});

Deno.test("SseDecoder: an unterminated final event is dropped", () => {
  assert.deepEqual(decodeAll(["data: whole\n\ndata: cut"]), [
    { event: "message", data: "whole", id: null },
  ]);
});

Deno.test("SseDecoder: lines over the bound throw, also while still unterminated", () => {
  assert.throws(() => decodeAll(["data: " + "x".repeat(100) + "\n\n"], 50), SseError);
  const d = new SseDecoder(50);
  d.push("data: ");
  assert.throws(() => d.push("y".repeat(60)), SseError);
});

Deno.test("sseEvents: decodes a byte stream with multi-byte characters split across chunks", async () => {
  const bytes = new TextEncoder().encode("data: héllo €\n\n");
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const b of bytes) c.enqueue(new Uint8Array([b]));
      c.close();
    },
  });
  const out = [];
  for await (const e of sseEvents(body)) out.push(e.data);
  assert.deepEqual(out, ["héllo €"]);
});

Deno.test("sseEvents: breaking out cancels the body", async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("data: 1\n\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const _ of sseEvents(body)) break;
  assert.equal(cancelled, true);
});
