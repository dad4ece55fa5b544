import assert from "node:assert/strict";
import { parse } from "smol-toml";
import {
  formatKeyPath,
  KeyPathError,
  parseKeyPath,
  tomlDocument,
  tomlInline,
} from "./config_format.ts";
import type { TomlTable } from "../config/types.ts";

Deno.test("parseKeyPath: bare, quoted and literal keys; malformed paths are refused", () => {
  const ok: Array<[string, string[]]> = [
    ["model", ["model"]],
    ["features.shell_tool", ["features", "shell_tool"]],
    ['projects."/srv/app".trust_level', ["projects", "/srv/app", "trust_level"]],
    ["projects.'/a.b'.x", ["projects", "/a.b", "x"]],
    [' a . "b\\"c" ', ["a", 'b"c']],
    ['"" . x', ["", "x"]],
  ];
  for (const [text, keys] of ok) assert.deepEqual(parseKeyPath(text), keys, text);
  for (const bad of ["", "a.", ".a", "a..b", "a b", '"open', "a.'x", "a=b", '"\\q"']) {
    assert.throws(() => parseKeyPath(bad), KeyPathError, bad);
  }
});

Deno.test("formatKeyPath: quotes only keys that need it, and parses back", () => {
  const keys = ["projects", "/srv/my app", "trust_level"];
  assert.equal(formatKeyPath(keys), 'projects."/srv/my app".trust_level');
  assert.deepEqual(parseKeyPath(formatKeyPath(keys)), keys);
});

Deno.test("tomlInline: scalars, special floats, dates, control characters", () => {
  assert.equal(tomlInline('a"b\\c\n\u0001\u007f'), '"a\\"b\\\\c\\n\\u0001\\u007f"');
  assert.equal(tomlInline(12345678901234567890n), "12345678901234567890");
  assert.equal(tomlInline(1.5), "1.5");
  assert.equal(tomlInline(Number.NaN), "nan");
  assert.equal(tomlInline(-Infinity), "-inf");
  assert.equal(tomlInline({ $__toml_private_datetime: "1979-05-27" }), "1979-05-27");
  assert.equal(tomlInline([1, { k: "v", "a b": [] }]), '[1, { k = "v", "a b" = [] }]');
  assert.equal(tomlInline({}), "{}");
});

/** smol-toml builds null-prototype objects; compare plain data. */
const plain = (text: string) => JSON.parse(JSON.stringify(parse(text)));

Deno.test("tomlDocument: round-trips through a TOML parser, with notes on leaves", () => {
  const table: TomlTable = {
    model: "o3",
    features: { shell_tool: true },
    profiles: { fast: { model: "m", nested: { deep: 1 } } },
    projects: { "/srv/app": { trust_level: "trusted" } },
    empty: {},
    list: [{ a: 1 }, 2],
  };
  const text = tomlDocument(table);
  assert.deepEqual(plain(text), table);
  assert.ok(!text.includes("[profiles]\n"), "implicit parent tables get no header");
  const noted = tomlDocument(table, (path) => path.join("/"));
  assert.match(noted, /^model = "o3" {2}# model$/m);
  assert.match(noted, /^deep = 1 {2}# profiles\/fast\/nested\/deep$/m);
  assert.deepEqual(plain(noted), table);
  assert.equal(
    tomlDocument({ network_access: true }, null, ["sandbox_workspace_write"]),
    "[sandbox_workspace_write]\nnetwork_access = true",
  );
  assert.equal(tomlDocument({}), "");
});
