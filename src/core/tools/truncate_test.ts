import assert from "node:assert/strict";
import { formatSeconds, truncateForModel } from "./truncate.ts";

const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join("");

Deno.test("truncateForModel leaves small output alone", () => {
  assert.equal(truncateForModel(""), "");
  assert.equal(truncateForModel("hello\nworld\n"), "hello\nworld\n");
  assert.equal(truncateForModel(numbered(256)), numbered(256));
});

Deno.test("truncateForModel keeps head and tail lines with a marker", () => {
  const out = truncateForModel(numbered(10), { maxLines: 4 });
  assert.equal(
    out,
    "Total output lines: 10\n\nline 1\nline 2\n[... 6 lines omitted ...]\nline 9\nline 10\n",
  );
});

Deno.test("truncateForModel with odd maxLines gives the extra line to the tail", () => {
  const out = truncateForModel("a\nb\nc\nd\ne", { maxLines: 3 });
  assert.equal(out, "Total output lines: 5\n\na\n[... 2 lines omitted ...]\nd\ne");
});

Deno.test("truncateForModel default line limit is 256", () => {
  const out = truncateForModel(numbered(300));
  assert.ok(out.startsWith("Total output lines: 300\n\nline 1\n"));
  assert.ok(out.includes("line 128\n[... 44 lines omitted ...]\nline 173\n"));
  assert.ok(out.endsWith("line 300\n"));
});

Deno.test("truncateForModel falls back to bytes for long lines", () => {
  const text = "a".repeat(50) + "b".repeat(50);
  const out = truncateForModel(text, { maxBytes: 10 });
  assert.equal(out, "Total output lines: 1\n\naaaaa\n[... 90 bytes omitted ...]\nbbbbb");
});

Deno.test("truncateForModel uses bytes when kept lines are still too big", () => {
  const text = `${"x".repeat(100)}\nmid\nmid\n${"y".repeat(100)}\n`;
  const out = truncateForModel(text, { maxLines: 2, maxBytes: 20 });
  assert.equal(
    out,
    `Total output lines: 4\n\n${"x".repeat(10)}\n[... 190 bytes omitted ...]\n${"y".repeat(9)}\n`,
  );
});

Deno.test("truncateForModel never splits a UTF-8 character", () => {
  const text = "é".repeat(20); // 40 bytes, 2 per character
  const out = truncateForModel(text, { maxBytes: 11 });
  // head budget 5 → 4 bytes (2 chars); tail budget 6 → 3 chars.
  assert.equal(out, "Total output lines: 1\n\néé\n[... 30 bytes omitted ...]\nééé");
  assert.ok(!out.includes("\uFFFD"));
  const emoji = "😀".repeat(10); // 4 bytes each
  const cut = truncateForModel(emoji, { maxBytes: 10 });
  assert.equal(cut, "Total output lines: 1\n\n😀\n[... 32 bytes omitted ...]\n😀");
});

Deno.test("truncateForModel counts the default 10 KiB budget in bytes", () => {
  const text = "€".repeat(4000); // 12000 bytes, under 10240 characters
  const out = truncateForModel(text);
  assert.ok(out.startsWith("Total output lines: 1\n\n"));
  assert.ok(out.includes("[... 1764 bytes omitted ...]"), out.slice(0, 80));
});

Deno.test("formatSeconds shows one decimal", () => {
  assert.equal(formatSeconds(300), "0.3");
  assert.equal(formatSeconds(0), "0.0");
  assert.equal(formatSeconds(1234), "1.2");
  assert.equal(formatSeconds(61_050), "61.0");
  assert.equal(formatSeconds(-5), "0.0");
  assert.equal(formatSeconds(Number.NaN), "0.0");
});
