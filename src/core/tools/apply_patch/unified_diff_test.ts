import assert from "node:assert/strict";
import { unifiedDiff } from "./unified_diff.ts";

const lines = (n: number, f: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join("");

/** Rebuilds the new text from the old one and the hunks, to check diffs independently. */
function applyHunks(oldText: string, diff: string): string {
  const oldMissing = oldText !== "" && !oldText.endsWith("\n");
  const old = oldText === "" ? [] : oldText.replace(/\n$/, "").split("\n");
  const out: string[] = [];
  let pos = 0;
  // Whether the newest output line lacks its newline.
  let missing = false;
  let last = "";
  const copy = () => {
    out.push(old[pos++]!);
    missing = oldMissing && pos === old.length;
  };
  for (const line of diff.split("\n").slice(0, -1)) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (header) {
      const start = Number(header[1]);
      const len = header[2] === undefined ? 1 : Number(header[2]);
      const to = len === 0 ? start : start - 1;
      while (pos < to) copy();
    } else if (line.startsWith(" ")) {
      assert.equal(old[pos], line.slice(1));
      out.push(old[pos++]!);
      missing = false;
    } else if (line.startsWith("-")) {
      assert.equal(old[pos], line.slice(1));
      pos++;
    } else if (line.startsWith("+")) {
      out.push(line.slice(1));
      missing = false;
    } else if (line === "\\ No newline at end of file") {
      if (last.startsWith("+") || last.startsWith(" ")) missing = true;
    }
    last = line;
  }
  while (pos < old.length) copy();
  if (out.length === 0) return "";
  return out.join("\n") + (missing ? "" : "\n");
}

Deno.test("unifiedDiff is empty for equal texts", () => {
  assert.equal(unifiedDiff("", ""), "");
  assert.equal(unifiedDiff("a\nb\n", "a\nb\n"), "");
});

Deno.test("unifiedDiff renders a single change with context", () => {
  const a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  const b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  assert.equal(unifiedDiff(a, b), "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
  assert.equal(unifiedDiff(a, b, 0), "@@ -5 +5 @@\n-5\n+five\n");
  assert.equal(unifiedDiff(a, b, 1), "@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n");
});

Deno.test("unifiedDiff uses GNU ranges for empty sides and pure insertions", () => {
  assert.equal(unifiedDiff("", "a\nb\n"), "@@ -0,0 +1,2 @@\n+a\n+b\n");
  assert.equal(unifiedDiff("a\n", ""), "@@ -1 +0,0 @@\n-a\n");
  assert.equal(unifiedDiff("a\nb\n", "a\nx\nb\n", 0), "@@ -1,0 +2 @@\n+x\n");
  assert.equal(unifiedDiff("a\nb\nc\n", "a\nc\n", 0), "@@ -2 +1,0 @@\n-b\n");
});

Deno.test("unifiedDiff marks a missing final newline", () => {
  assert.equal(
    unifiedDiff("a\nb", "a\nb\n"),
    "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
  );
  assert.equal(
    unifiedDiff("a\n", "a\nb"),
    "@@ -1 +1,2 @@\n a\n+b\n\\ No newline at end of file\n",
  );
  assert.equal(
    unifiedDiff("x\nend", "y\nend"),
    "@@ -1,2 +1,2 @@\n-x\n+y\n end\n\\ No newline at end of file\n",
  );
});

Deno.test("unifiedDiff splits distant changes into separate hunks and merges close ones", () => {
  const a = lines(20, String);
  const far = a.replace("2\n", "two\n").replace("19\n", "nineteen\n");
  assert.equal(
    unifiedDiff(a, far),
    "@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n" +
      "@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n",
  );
  // Changes separated by exactly 2*context unchanged lines share one hunk.
  const near = a.replace("5\n", "five\n").replace("12\n", "twelve\n");
  const diff = unifiedDiff(a, near);
  assert.equal(diff.match(/^@@/gm)?.length, 1);
  assert.ok(diff.startsWith("@@ -2,14 +2,14 @@\n"));
});

Deno.test("unifiedDiff produces minimal diffs that rebuild the new text", () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const gen = () => {
    const n = rand(15);
    const text = Array.from({ length: n }, () => "abcd"[rand(4)]).join("\n");
    return n > 0 && rand(3) > 0 ? `${text}\n` : text;
  };
  for (let k = 0; k < 300; k++) {
    const a = gen();
    const b = gen();
    const diff = unifiedDiff(a, b, k % 4);
    assert.equal(applyHunks(a, diff), b, JSON.stringify({ a, b, diff }));
  }
  // LCS of "abcabba" and "cbabac" has length 4, so 3 deletions and 2 insertions.
  const d = unifiedDiff("a\nb\nc\na\nb\nb\na\n", "c\nb\na\nb\na\nc\n");
  assert.equal(d.split("\n").filter((l) => l.startsWith("-")).length, 3);
  assert.equal(d.split("\n").filter((l) => l.startsWith("+")).length, 2);
});

Deno.test("unifiedDiff handles 10k-line files quickly", () => {
  const a = lines(10_000, (i) => `line ${i}`);
  const b = lines(10_000, (i) => (i % 7 === 0 ? `changed ${i}` : `line ${i}`));
  const c = lines(10_000, (i) => `other ${i}`);
  const started = performance.now();
  const scattered = unifiedDiff(a, b);
  const disjoint = unifiedDiff(a, c);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  assert.equal(applyHunks(a, scattered), b);
  assert.equal(disjoint.split("\n").filter((l) => l.startsWith("-")).length, 10_000);
  assert.ok(disjoint.startsWith("@@ -1,10000 +1,10000 @@\n"));
});
