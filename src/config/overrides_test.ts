import assert from "node:assert/strict";
import { ConfigOverrideError, parseOverride, sessionFlagsTable } from "./overrides.ts";

const eq = (actual: unknown, expected: unknown): void => assert.deepEqual(actual, expected);

Deno.test("-c values: TOML values, else the raw text with quotes trimmed (config.md 1.5)", () => {
  const cases: Array<[string, string[], unknown]> = [
    ["bar=a b", ["bar"], "a b"],
    ["baz='q'", ["baz"], "q"],
    ['u="unterminated', ["u"], "unterminated"],
    ["e=", ["e"], ""],
    ["foo=[1,2]", ["foo"], [1, 2]],
    ['arr=[1, "x", [2]]', ["arr"], [1, "x", [2]]],
    ["q.r.s={x=1}", ["q", "r", "s"], { x: 1 }],
    ["spaced = 1", ["spaced"], 1],
    ["  padded  =  true  ", ["padded"], true],
    ["dt=1979-05-27", ["dt"], { $__toml_private_datetime: "1979-05-27" }],
    ["odt=1979-05-27T07:32:00Z", ["odt"], { $__toml_private_datetime: "1979-05-27T07:32:00Z" }],
    ["lt=07:32:00", ["lt"], { $__toml_private_datetime: "07:32:00" }],
    ["f=1.5", ["f"], 1.5],
    ["hex=0xff", ["hex"], 255],
    ["big=9223372036854775807", ["big"], 9223372036854775807n],
    ['model="o3"', ["model"], "o3"],
    ["k=a=b", ["k"], "a=b"],
    ['"a.b"=1', ['"a', 'b"'], 1],
  ];
  for (const [raw, keyPath, value] of cases) eq(parseOverride(raw), { keyPath, value });
});

Deno.test("-c errors carry the reference's wording", () => {
  assert.throws(() => parseOverride("novalue"), {
    name: "ConfigOverrideError",
    message: "Invalid override (missing '='): novalue",
  });
  assert.throws(() => parseOverride(" =1"), {
    message: "Empty key in override:  =1",
  });
  assert.throws(() => sessionFlagsTable(["a=1", "oops"], []), ConfigOverrideError);
});

Deno.test("later -c wins: a.b=1 then a=2 gives a=2; a=2 then a.b=1 gives a={b=1}", () => {
  eq(sessionFlagsTable(["a.b=1", "a=2"], []), { a: 2 });
  eq(sessionFlagsTable(["a=2", "a.b=1"], []), { a: { b: 1 } });
  eq(sessionFlagsTable(["a.b=1", "a.c=2"], []), { a: { b: 1, c: 2 } });
});

Deno.test("--enable/--disable and a thread's config map apply after -c, in order", () => {
  const table = sessionFlagsTable(
    ["features.x=false", "features.y=true", "model=o3"],
    [{ feature: "x", enabled: true }, { feature: "z", enabled: false }],
    {
      "features.y": false,
      "model": "gpt-5",
      "mcp_servers.s": { command: "echo", args: ["a", null] },
      "ignored": null,
      "n": 2.5,
    },
  );
  eq(table, {
    features: { x: true, y: false, z: false },
    model: "gpt-5",
    mcp_servers: { s: { command: "echo", args: ["a"] } },
    n: 2.5,
  });
});

Deno.test("no flags give an empty table", () => {
  eq(sessionFlagsTable([], [], null), {});
});
