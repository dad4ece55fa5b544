import assert from "node:assert/strict";
import { compareBundles, type Exclusions, shapeOf } from "./schema_compare.ts";

const none: Exclusions = { definitions: {}, methods: {} };

/** A bundle with the given root and v2 definitions. */
function bundle(root: Record<string, unknown>, v2: Record<string, unknown> = {}) {
  return { definitions: { ...root, v2 } };
}

const params = {
  type: "object",
  required: ["id"],
  properties: {
    id: { type: "string" },
    mode: { type: "string", enum: ["a", "b"] },
    limit: { type: ["integer", "null"], format: "uint32", minimum: 0 },
    kind: { anyOf: [{ $ref: "#/definitions/v2/Kind" }, { type: "null" }] },
  },
};
const kind = { type: "string", enum: ["x", "y"] };
const reference = bundle({}, { FooParams: params, Kind: kind });

function problems(ours: unknown, later: unknown = null, exclusions = none) {
  return compareBundles(reference, ours, later, exclusions).problems.map((p) =>
    `${p.path}: ${p.message}`
  );
}

function withParams(change: (p: typeof params) => unknown, kindDef: unknown = kind) {
  const copy = structuredClone(params);
  return bundle({}, { FooParams: change(copy) ?? copy, Kind: kindDef });
}

Deno.test("an identical schema passes", () => {
  const result = compareBundles(reference, reference, null, none);
  assert.deepEqual(result.problems, []);
  assert.ok(result.checks > 5);
  assert.equal(result.definitions, 2);
});

Deno.test("equivalent spellings are normalised", () => {
  const ours = withParams((p) => {
    p.properties.limit = {
      anyOf: [{ type: "integer", format: "uint32" }, { type: "null" }],
    } as never;
    p.properties.kind = {
      anyOf: [{ allOf: [{ $ref: "#/definitions/Kind" }] }, { type: "null" }],
    } as never;
    p.properties.mode = {
      oneOf: [{ type: "string", const: "a" }, { type: "string", enum: ["b"] }],
    } as never;
  });
  assert.deepEqual(problems(ours), []);
});

Deno.test("missing properties, required fields and enum values are problems", () => {
  assert.deepEqual(
    problems(withParams((p) => void delete (p.properties as Record<string, unknown>)["mode"])),
    ["FooParams.mode: property missing"],
  );
  assert.deepEqual(problems(withParams((p) => void (p.required = []))), [
    "FooParams.id: should be required",
  ]);
  assert.deepEqual(problems(withParams(() => undefined, { type: "string", enum: ["x"] })), [
    "Kind: enum value y missing",
  ]);
  assert.deepEqual(problems(bundle({}, { FooParams: params })), ["Kind: definition missing"]);
});

Deno.test("type and nullability mismatches are problems", () => {
  const wrongType = withParams((p) => void (p.properties.id = { type: "boolean" } as never));
  assert.ok(problems(wrongType).some((x) => x.startsWith("FooParams.id: type string missing")));
  const notNull = withParams((p) =>
    void (p.properties.kind = { $ref: "#/definitions/Kind" } as never)
  );
  assert.deepEqual(problems(notNull), ["FooParams.kind: should accept null"]);
});

Deno.test("additions need the later version to have them at the same place", () => {
  const extra = withParams((p) =>
    void ((p.properties as Record<string, unknown>)["more"] = { type: "string" })
  );
  assert.deepEqual(problems(extra), [
    "FooParams.more: extra property (not in the later reference either)",
  ]);
  assert.deepEqual(problems(extra, extra), []);
  const elsewhere = bundle({}, { Kind: { ...kind, properties: { more: {} } }, FooParams: params });
  assert.equal(problems(extra, elsewhere).length, 1);
  const extraDef = bundle({ Unknown: { type: "string" } }, { FooParams: params, Kind: kind });
  assert.deepEqual(problems(extraDef), ["Unknown: definition not in the reference"]);
});

Deno.test("message unions are compared method by method, with exclusions", () => {
  const variant = (method: string) => ({
    type: "object",
    required: ["id", "method", "params"],
    properties: {
      id: { type: "string" },
      method: { type: "string", enum: [method] },
      params: { $ref: "#/definitions/v2/FooParams" },
    },
  });
  const ref = bundle({ ClientRequest: { oneOf: [variant("foo"), variant("legacy")] } }, {
    FooParams: params,
    Kind: kind,
  });
  const ours = bundle({ ClientRequest: { oneOf: [variant("foo"), variant("new")] } }, {
    FooParams: params,
    Kind: kind,
  });
  const found = compareBundles(ref, ours, null, none).problems.map((p) =>
    p.path + ": " + p.message
  );
  assert.deepEqual(found, [
    "ClientRequest[legacy]: method missing",
    "ClientRequest[new]: method not in the reference",
  ]);
  const excluded = compareBundles(ref, ours, ours, {
    definitions: {},
    methods: { legacy: "v1" },
  });
  assert.deepEqual(excluded.problems, []);
  assert.deepEqual(excluded.methods, { ClientRequest: 1 });
});

Deno.test("shapeOf folds nullable spellings together", () => {
  const a = shapeOf({ type: ["string", "null"] });
  const b = shapeOf({ anyOf: [{ type: "string" }, { type: "null" }] });
  assert.equal(a.nullable, true);
  assert.equal(b.nullable, true);
  assert.deepEqual([...a.types], [...b.types]);
});
