import assert from "node:assert/strict";
import { LineWriter } from "./stdio.ts";

/** A writer that takes at most `chunk` bytes per call, copying them, after a macrotask. */
function collecting(chunk: number) {
  const parts: Uint8Array[] = [];
  return {
    parts,
    text: () => new TextDecoder().decode(new Uint8Array(parts.flatMap((p) => [...p]))),
    async write(bytes: Uint8Array) {
      await new Promise((r) => setTimeout(r, 0));
      const n = Math.min(chunk, bytes.length);
      parts.push(bytes.slice(0, n));
      return n;
    },
  };
}

Deno.test("LineWriter: every line once, in order, whatever the sizes and partial writes", async () => {
  const out = collecting(70_000);
  const w = new LineWriter(out);
  const lines = [
    "short",
    "é😀 multi-byte",
    "x".repeat(300_000), // fits the reused buffer
    "y".repeat(1_500_000), // longer than it: written on its own
    ...Array.from({ length: 200 }, (_, i) => `line ${i} ${"z".repeat(i * 37)}`),
  ];
  for (const line of lines) assert.equal(w.send(line), true);
  await w.flush();
  assert.equal(out.text(), lines.join("\n") + "\n");
});

Deno.test("LineWriter: saturated above the high-water mark, writable again once drained", async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => release = r);
  const w = new LineWriter({
    async write(bytes) {
      await gate;
      return bytes.length;
    },
  });
  for (let i = 0; i < 100; i++) w.send("a".repeat(100_000));
  assert.equal(w.saturated, true);
  const writable = w.whenWritable();
  release();
  await writable;
  await w.flush();
  assert.equal(w.saturated, false);
});
