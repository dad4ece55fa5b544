import assert from "node:assert/strict";
import { join } from "node:path";
import { parseToml, parseTomlValue, readTomlFile } from "./toml_read.ts";

Deno.test("parseToml() returns plain objects, bigints beyond 2^53 and dates as text", () => {
  const { table, problems } = parseToml(
    [
      'a = { b = [1, "x"] }',
      "big = 9007199254740993",
      "small = 42",
      "f = 1.5",
      "d = 1979-05-27",
      "dt = 1979-05-27 07:32:00",
      "odt = 1979-05-27T00:32:00.5-07:00",
      "t = 07:32:00",
    ].join("\n"),
    "/f.toml",
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(table, {
    a: { b: [1, "x"] },
    big: 9007199254740993n,
    small: 42,
    f: 1.5,
    d: { $__toml_private_datetime: "1979-05-27" },
    dt: { $__toml_private_datetime: "1979-05-27T07:32:00" },
    odt: { $__toml_private_datetime: "1979-05-27T00:32:00.5-07:00" },
    t: { $__toml_private_datetime: "07:32:00" },
  });
  assert.equal(Object.getPrototypeOf(table), Object.prototype);
});

Deno.test("parseToml() keeps a __proto__ key as data", () => {
  const { table } = parseToml('"__proto__" = { polluted = true }\n', null);
  assert.deepEqual(Object.keys(table), ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("parseToml() turns a syntax error into one zero-width problem", () => {
  const { table, problems } = parseToml('ok = 1\nmodel = "x\n', "/p/config.toml");
  assert.deepEqual(table, {});
  assert.deepEqual(problems, [{
    kind: "syntax",
    file: "/p/config.toml",
    range: { start: { line: 2, column: 11 }, end: { line: 2, column: 11 } },
    keyPath: null,
    message: 'invalid basic string, expected `"`',
  }]);
});

Deno.test("parseToml() messages are one line without smol-toml's prefix", () => {
  for (const text of ["a = [1,2\n", "= 1\n", "a = 1979-13-01\n", "x = {a=1\n", "a = 1_\n"]) {
    const [p] = parseToml(text, "/f").problems;
    assert.ok(p, text);
    assert.ok(!p.message.includes("\n") && !p.message.startsWith("Invalid TOML"), p.message);
    assert.deepEqual(p.range!.start, p.range!.end);
  }
});

Deno.test("parseToml() with an empty text is an empty table", () => {
  assert.deepEqual(parseToml("", null), { table: {}, problems: [] });
});

Deno.test("readTomlFile() handles missing, valid, non-UTF-8 and unreadable files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = join(dir, "none.toml");
    assert.deepEqual(await readTomlFile(missing), { text: null, table: {}, problems: [] });

    const good = join(dir, "good.toml");
    await Deno.writeTextFile(good, 'model = "m"\n');
    assert.deepEqual(await readTomlFile(good), {
      text: 'model = "m"\n',
      table: { model: "m" },
      problems: [],
    });

    const bad = join(dir, "bad.toml");
    await Deno.writeFile(bad, new Uint8Array([0x6d, 0x3d, 0x22, 0xff, 0xfe, 0x22, 0x0a]));
    assert.deepEqual(await readTomlFile(bad), {
      text: null,
      table: {},
      problems: [{
        kind: "syntax",
        file: bad,
        range: null,
        keyPath: null,
        message: `Failed to read config file ${bad}: stream did not contain valid UTF-8`,
      }],
    });

    const broken = join(dir, "broken.toml");
    await Deno.writeTextFile(broken, "[features\n");
    const r = await readTomlFile(broken);
    assert.equal(r.text, "[features\n");
    assert.equal(r.problems[0]!.file, broken);

    const isDir = await readTomlFile(dir);
    assert.equal(isDir.problems.length, 1);
    assert.ok(isDir.problems[0]!.message.startsWith(`Failed to read config file ${dir}: `));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ["1", 1],
  [" spaced = 1 ".split("=")[1]!, 1],
  ['"x"', "x"],
  ["'q'", "q"],
  ["a b", "a b"],
  ['"unterminated', "unterminated"],
  ["", ""],
  ["[1,2]", [1, 2]],
  ["{x=1}", { x: 1 }],
  ["true", true],
  ["1979-05-27", { $__toml_private_datetime: "1979-05-27" }],
  ["${HOME}", "${HOME}"],
  ["1\nfoo = 2", "1\nfoo = 2"],
  ["9223372036854775807", 9223372036854775807n],
];

Deno.test("parseTomlValue() parses TOML values or falls back to the string", () => {
  for (const [input, want] of VALUES) assert.deepEqual(parseTomlValue(input), want, input);
});
