import assert from "node:assert/strict";
import { canonicalJson, floatJson, layerVersion, toJsonValue } from "./version.ts";
import { sessionFlagsTable } from "./overrides.ts";

Deno.test("versions match the hashes verified against the reference (config.md 3.1)", () => {
  assert.equal(
    layerVersion({}),
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  );
  assert.equal(
    layerVersion({ model: "gpt-5", features: { shell_tool: true } }),
    "sha256:8b6ce4f455ba601899d34d6dd82e0e1da6a9a9e07545807923fc95e0e672bb84",
  );
  // Project layers of the R/sub/deep example, as the 0.105.0 binary reported them.
  assert.equal(
    layerVersion({ model: "root", approval_policy: "never" }),
    "sha256:374d40f1f4097f99d1785d3b83b9f5328c28c4baaa447e9ef2e8000f0bedd3d3",
  );
  assert.equal(
    layerVersion({ sandbox_mode: "read-only" }),
    "sha256:61c1207fcef02314a515b175a87109b7f7ccc7b1da91be0ad26c4c8c73932421",
  );
});

Deno.test("a session-flags layer of odd values hashes as the reference's did", () => {
  // Observed on 0.105.0 (`config/read` layer version) with these flags, minus the integral
  // floats and sub-millisecond dates our TOML values cannot tell apart.
  const flags = [
    "big=9223372036854775807",
    "nbig=-9223372036854775808",
    "dt=1979-05-27",
    "odt=1979-05-27T07:32:00Z",
    "ldt=1979-05-27T07:32:00.5",
    "lt=07:32:00",
    "f=1.5",
    "e=",
    "baz='q'",
    "bar=a b",
    'u="unterminated',
    "q.r.s={x=1}",
    " spaced = 1 ",
    "nan=nan",
    "inf=-inf",
    "neg=-0.0",
    "a.b=1",
    "a=2",
    "c=2",
    "c.b=1",
    'uni="é\\u00e9<>&\\u2028\\u0001"',
    "big2=1e300",
    "sm=5e-324",
    "hex=0xff",
    'arr=[1,"x",[2]]',
    "f3=0.1",
    "f5=1e21",
    "f6=1.5e-7",
    "f7=123456789012345680000.0",
    "f8=1e16",
    "f10=0.000001",
    "f11=0.0000001",
    "g1=0.001",
    "g2=0.0001",
    "g3=0.00001",
    "g4=0.000015",
    "g6=1.5e16",
    "g7=9007199254740993.0",
    "g8=123.456",
    "g9=-1e-5",
    "g10=1.7976931348623157e308",
  ];
  const table = sessionFlagsTable(flags, [
    { feature: "unified_exec", enabled: true },
    { feature: "shell_tool", enabled: false },
  ]);
  assert.equal(
    layerVersion(table),
    "sha256:616ab5982b241647aea4ad86ea9b4cf2799503cc2273e713f499df8a3765daca",
  );
});

Deno.test("floats use serde_json's notation", () => {
  const cases: Array<[number, string]> = [
    [1.5, "1.5"],
    [100, "100.0"],
    [1e15, "1000000000000000.0"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [1e300, "1e+300"],
    [0.00001, "0.00001"],
    [0.000015, "0.000015"],
    [0.000001, "1e-6"],
    [1.5e-7, "1.5e-7"],
    [-0.00001, "-0.00001"],
    [5e-324, "5e-324"],
    [-0, "-0.0"],
    [0, "0.0"],
    [NaN, "null"],
    [-Infinity, "null"],
  ];
  for (const [x, text] of cases) assert.equal(floatJson(x), text, String(x));
});

Deno.test("canonical JSON sorts keys by UTF-8 bytes at every level", () => {
  assert.equal(
    canonicalJson({ z: 1, "é": { b: 1, a: [{ y: 1, x: 2 }] }, a: true, "😀": 1, "～": 2 }),
    '{"a":true,"z":1,"é":{"a":[{"x":2,"y":1}],"b":1},"～":2,"😀":1}',
  );
});

Deno.test("toJsonValue gives wire data: sorted keys, exact big integers, dates as objects", () => {
  const value = toJsonValue({
    z: 9223372036854775807n,
    a: [1, { $__toml_private_datetime: "1979-05-27" }],
    m: { y: NaN, x: "s" },
  });
  assert.deepEqual(Object.keys(value as object), ["a", "m", "z"]);
  assert.equal(
    JSON.stringify(value),
    '{"a":[1,{"$__toml_private_datetime":"1979-05-27"}],"m":{"x":"s","y":null},' +
      '"z":9223372036854775807}',
  );
});
