import assert from "node:assert/strict";
import { dynamicToolSpec, validateDynamicTools } from "./dynamic_tools.ts";

const tool = (name: string, inputSchema: unknown = { type: "object" }) => ({
  name,
  description: "d",
  inputSchema,
});

Deno.test("validateDynamicTools: the reference's messages", () => {
  assert.equal(validateDynamicTools([tool("ok"), tool("also ok")]), null);
  assert.equal(validateDynamicTools([tool("")]), "dynamic tool name must not be empty");
  assert.equal(
    validateDynamicTools([tool("a ")]),
    "dynamic tool name has leading/trailing whitespace: a ",
  );
  assert.equal(validateDynamicTools([tool("a"), tool("a")]), "duplicate dynamic tool name: a");
  assert.equal(validateDynamicTools([tool("mcp__a")]), "dynamic tool name is reserved: mcp__a");
  assert.equal(
    validateDynamicTools([tool("a", 5)]),
    "dynamic tool input schema is not supported for a: invalid type: integer `5`, expected internally tagged enum JsonSchema",
  );
  assert.match(
    validateDynamicTools([tool("a", { type: "bogus" })])!,
    /^dynamic tool input schema is not supported for a: unknown variant `bogus`, expected one of `boolean`, `string`, `integer`, `number`, `array`, `object`$/,
  );
  assert.equal(validateDynamicTools([tool("a", {})]), null);
  assert.match(
    validateDynamicTools([tool("a", { type: "object", properties: { x: { type: "weird" } } })])!,
    /unknown variant `weird`/,
  );
});

Deno.test("dynamicToolSpec: the schema unchanged, not strict", () => {
  const schema = { type: "object", properties: { q: { type: "string" } } };
  assert.deepEqual(dynamicToolSpec(tool("search", schema)), {
    type: "function",
    name: "search",
    description: "d",
    strict: false,
    parameters: schema,
  });
});
