import assert from "node:assert/strict";
import {
  formatKeyPath,
  locateKeyPath,
  parseKeyPath,
  rangeAtOffset,
  spanToRange,
} from "./toml_spans.ts";

/** `L:C..L:C` of a key path, or null. */
function at(text: string, keyPath: string): string | null {
  const r = locateKeyPath(text, keyPath);
  return r && `${r.start.line}:${r.start.column}..${r.end.line}:${r.end.column}`;
}

const DOC = [
  "# top comment with = and [brackets]", // 1
  'model = "gpt-5" # trailing = comment [x]', // 2
  "'quoted key' = 'lit'", // 3
  '"dotted.key" = 1', // 4
  "a.b.c = true", // 5
  'multi = """', // 6
  "line [one] = 2", // 7
  '"""', // 8
  "arr = [ 1, [2, 3], { k = 'v' }, # c", // 9
  "  4 ]", // 10
  "", // 11
  '[tbl . "sub key"]', // 12
  "inline = { x = 1, y.z = [10, 20] }", // 13
  "date = 1979-05-27 07:32:00Z", // 14
  "[[srv]]", // 15
  'name = "one"', // 16
  "[srv.opts]", // 17
  "v = 1", // 18
  "[[srv]]", // 19
  "name = '''two", // 20
  "'''", // 21
  '["日本"]', // 22
  'k = "値" # 😀', // 23
  "after = 'x'", // 24
].join("\n") + "\n";

const SPANS: ReadonlyArray<readonly [string, string | null]> = [
  ["model", "2:9..2:15"],
  ['"quoted key"', "3:16..3:20"],
  ["'quoted key'", "3:16..3:20"],
  ['"dotted.key"', "4:16..4:16"],
  ["a.b.c", "5:9..5:12"],
  ["a", "5:1..5:1"],
  ["a.b", "5:1..5:3"],
  ["multi", "6:9..8:3"],
  ["arr", "9:7..10:5"],
  ["arr[0]", "9:9..9:9"],
  ["arr[1]", "9:12..9:17"],
  ["arr[1][1]", "9:16..9:16"],
  ["arr[2]", "9:20..9:30"],
  ["arr[2].k", "9:26..9:28"],
  ["arr[3]", "10:3..10:3"],
  ['tbl."sub key"', "12:1..12:17"],
  ["tbl", "12:1..12:17"],
  ['tbl."sub key".inline', "13:10..13:34"],
  ['tbl."sub key".inline.x', "13:16..13:16"],
  ['tbl."sub key".inline.y.z', "13:25..13:32"],
  ['tbl."sub key".inline.y.z[1]', "13:30..13:31"],
  ['tbl."sub key".date', "14:8..14:27"],
  ["srv", "15:1..15:7"],
  ["srv[0]", "15:1..15:7"],
  ["srv[0].name", "16:8..16:12"],
  ["srv[0].opts", "17:1..17:10"],
  ["srv[0].opts.v", "18:5..18:5"],
  ["srv[1]", "19:1..19:7"],
  ["srv[1].name", "20:8..21:3"],
  ['"日本"', "22:1..22:6"],
  ['"日本".k', "23:5..23:7"],
  ["日本.k", "23:5..23:7"],
  ["日本.after", "24:9..24:11"],
  ["missing", null],
  ["model.deeper", null],
  ["arr[9]", null],
];

for (const [keyPath, want] of SPANS) {
  Deno.test(`locateKeyPath() finds ${keyPath}`, () => {
    assert.equal(at(DOC, keyPath), want);
  });
}

Deno.test("locateKeyPath() counts columns in characters, not UTF-16 units or bytes", () => {
  assert.equal(at('a = "😀😀"\nb = 1\n', "a"), "1:5..1:8");
  assert.equal(at('x = "😀", y = 1', "y"), null);
  assert.equal(at('t = { x = "😀", y = 2 }\n', "t.y"), "1:20..1:20");
});

Deno.test("locateKeyPath() gives what it found before unreadable text", () => {
  const text = 'model = "ok"\nbroken = [1, \n';
  assert.equal(at(text, "model"), "1:9..1:12");
  // The value could not be read: only where it starts is known.
  assert.equal(at(text, "broken"), "2:10..2:10");
});

Deno.test("locateKeyPath() handles escapes in strings and keys, CRLF and BOM", () => {
  assert.equal(at('s = "a\\"b" \n', "s"), "1:5..1:10");
  assert.equal(at('"a\\u0062" = 1\n', "ab"), "1:13..1:13");
  assert.equal(at("\ufeffa = 1\r\nb = 22\r\n", "b"), "2:5..2:6");
  assert.equal(at('m = """x""""\n', "m"), "1:5..1:12");
});

Deno.test("locateKeyPath() prefers an explicit header over an implied table", () => {
  const text = "[a.b]\nx = 1\n[a]\ny = 2\n";
  assert.equal(at(text, "a"), "3:1..3:3");
  assert.equal(at("[a.b]\nx = 1\n", "a"), "1:1..1:5");
});

Deno.test("locateKeyPath() also accepts an unquoted serde-style path", () => {
  const text = '[projects."/home/u/p.v2"]\ntrust_level = "x"\n';
  assert.equal(at(text, 'projects."/home/u/p.v2".trust_level'), "2:15..2:17");
  assert.equal(at(text, "projects./home/u/p.v2.trust_level"), "2:15..2:17");
});

Deno.test("formatKeyPath() and parseKeyPath() round-trip", () => {
  const path = ["projects", "/home/u/p.v2", "trust_level", "x", 3, "y"];
  const text = formatKeyPath(path);
  assert.equal(text, 'projects."/home/u/p.v2".trust_level.x[3].y');
  assert.deepEqual(parseKeyPath(text), path);
  assert.deepEqual(parseKeyPath("a.'b.c'[0][1]"), ["a", "b.c", 0, 1]);
  assert.equal(formatKeyPath([]), "");
});

Deno.test("rangeAtOffset() clamps past EOF like the reference", () => {
  assert.deepEqual(rangeAtOffset("", 5), {
    start: { line: 1, column: 1 },
    end: { line: 1, column: 1 },
  });
  assert.deepEqual(rangeAtOffset("ab\ncd", 3).start, { line: 2, column: 1 });
  assert.deepEqual(rangeAtOffset("ab\ncd", 4).start, { line: 2, column: 2 });
  assert.deepEqual(rangeAtOffset("ab\ncd", 7).start, { line: 2, column: 5 });
  assert.deepEqual(rangeAtOffset("[features", 9).start, { line: 1, column: 10 });
  assert.deepEqual(rangeAtOffset("😀x", 1).start, { line: 1, column: 2 });
});

Deno.test("spanToRange() makes the end inclusive and keeps surrogate pairs whole", () => {
  assert.deepEqual(spanToRange("a😀b", 1, 3), {
    start: { line: 1, column: 2 },
    end: { line: 1, column: 2 },
  });
  assert.deepEqual(spanToRange("abc", 1, 1).end, { line: 1, column: 2 });
});
