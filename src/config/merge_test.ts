import assert from "node:assert/strict";
import { getPath, leafPaths, mergeTables, setPath } from "./merge.ts";
import type { TomlTable } from "./types.ts";

const eq = (actual: unknown, expected: unknown): void => assert.deepEqual(actual, expected);

Deno.test("mergeTables merges tables recursively and lets the overlay replace the rest", () => {
  const base: TomlTable = { a: { b: 1, c: [1, 2] }, s: "x", t: { deep: { k: 1 } }, keep: true };
  const overlay: TomlTable = { a: { c: [3], d: 4 }, s: { now: "table" }, t: 5 };
  eq(mergeTables(base, overlay), {
    a: { b: 1, c: [3], d: 4 },
    s: { now: "table" },
    t: 5,
    keep: true,
  });
});

Deno.test("mergeTables never mutates or shares its inputs", () => {
  const base: TomlTable = { a: { b: 1 } };
  const overlay: TomlTable = { a: { c: { d: 2 } }, arr: [{ x: 1 }] };
  const out = mergeTables(base, overlay);
  setPath(out, ["a", "c", "d"], 3);
  (out["arr"] as TomlTable[])[0]!["x"] = 9;
  eq(base, { a: { b: 1 } });
  eq(overlay, { a: { c: { d: 2 } }, arr: [{ x: 1 }] });
});

Deno.test("a date/time is a value, not a table to merge into", () => {
  const date = { $__toml_private_datetime: "1979-05-27" };
  eq(mergeTables({ d: { x: 1 } }, { d: date }), { d: date });
  eq(mergeTables({ d: date }, { d: { x: 1 } }), { d: { x: 1 } });
});

Deno.test("getPath follows tables only", () => {
  const t: TomlTable = { a: { b: { c: 1 } }, s: "x", arr: [1] };
  assert.equal(getPath(t, ["a", "b", "c"]), 1);
  eq(getPath(t, ["a", "b"]), { c: 1 });
  assert.equal(getPath(t, ["s", "x"]), undefined);
  assert.equal(getPath(t, ["arr", "0"]), undefined);
  assert.equal(getPath(t, ["missing"]), undefined);
  assert.equal(getPath(t, ["toString"]), undefined);
  eq(getPath(t, []), t);
});

Deno.test("setPath creates tables, replaces non-tables in the way, and deletes", () => {
  const t: TomlTable = { a: 2 };
  setPath(t, ["a", "b"], 1);
  eq(t, { a: { b: 1 } });
  setPath(t, ["x", "y", "z"], "v");
  eq(t, { a: { b: 1 }, x: { y: { z: "v" } } });
  setPath(t, ["x", "y", "z"], undefined);
  eq(t, { a: { b: 1 }, x: { y: {} } });
  setPath(t, ["nope", "deeper"], undefined);
  eq(t, { a: { b: 1 }, x: { y: {} } });
});

Deno.test("setPath stores a __proto__ key as data", () => {
  const t: TomlTable = {};
  setPath(t, ["__proto__", "polluted"], true);
  assert.ok(Object.hasOwn(t, "__proto__"));
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  eq(getPath(t, ["__proto__", "polluted"]), true);
});

Deno.test("leafPaths walks tables and array elements like the reference's origins", () => {
  const date = { $__toml_private_datetime: "07:32:00" };
  eq(leafPaths({ a: { b: 1, e: {} }, arr: [1, [2], { k: "v" }], empty: [], d: date }), [
    { path: "a.b", value: 1 },
    { path: "arr.0", value: 1 },
    { path: "arr.1.0", value: 2 },
    { path: "arr.2.k", value: "v" },
    { path: "d", value: date },
  ]);
  eq(leafPaths({ projects: { "/tmp/x": { trust_level: "trusted" } } }), [
    { path: "projects./tmp/x.trust_level", value: "trusted" },
  ]);
});
