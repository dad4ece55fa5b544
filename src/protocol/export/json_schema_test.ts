import assert from "node:assert/strict";
import { join } from "node:path";
import { buildJsonSchemaFiles, BUNDLE_FILE, writeJsonSchema } from "./json_schema.ts";
import { isObject, refsOf } from "./definitions.ts";

type Doc = Record<string, unknown> & {
  properties?: Record<string, unknown>;
  definitions?: Record<string, unknown>;
  oneOf?: Doc[];
  required?: string[];
};

const full = buildJsonSchemaFiles({ experimental: true });
const stable = buildJsonSchemaFiles({ experimental: false });
const doc = (files: Map<string, unknown>, path: string) => files.get(path) as Doc;

Deno.test("files follow the reference layout", () => {
  for (
    const path of [
      "ClientRequest.json",
      "ServerNotification.json",
      "ServerRequest.json",
      "ClientNotification.json",
      "RequestId.json",
      "JSONRPCMessage.json",
      "CommandExecutionRequestApprovalParams.json",
      "FuzzyFileSearchParams.json",
      "v1/InitializeParams.json",
      "v1/InitializeResponse.json",
      "v2/ThreadStartParams.json",
      "v2/TurnCompletedNotification.json",
      BUNDLE_FILE,
    ]
  ) {
    assert.ok(full.has(path), path);
  }
  assert.equal(full.size, 155);
  assert.equal(stable.size, 143);
  assert.ok(!stable.has("v2/MockExperimentalMethodParams.json"));
  assert.ok(!stable.has("FuzzyFileSearchSessionStartParams.json"));
  assert.ok(full.has("v2/MockExperimentalMethodParams.json"));
});

Deno.test("experimental fields and methods appear only with --experimental", () => {
  const props = (files: Map<string, unknown>, path: string) =>
    Object.keys(doc(files, path).properties ?? {});
  assert.ok(props(full, "v2/ThreadStartParams.json").includes("dynamicTools"));
  assert.ok(!props(stable, "v2/ThreadStartParams.json").includes("dynamicTools"));
  assert.ok(
    props(full, "CommandExecutionRequestApprovalParams.json").includes("additionalPermissions"),
  );
  assert.ok(
    !props(stable, "CommandExecutionRequestApprovalParams.json").includes("additionalPermissions"),
  );
  assert.equal(doc(full, "ClientRequest.json").oneOf?.length, 49);
  assert.equal(doc(stable, "ClientRequest.json").oneOf?.length, 43);
  for (const files of [full, stable]) {
    assert.ok(!JSON.stringify([...files.values()]).includes('"experimental"'));
  }
});

Deno.test("message unions have one variant per method", () => {
  const variants = doc(full, "ClientRequest.json").oneOf!;
  const logout = variants.find((v) =>
    JSON.stringify(v).includes('"enum":["account/logout"]')
  ) as Doc;
  assert.deepEqual(logout.required, ["id", "method"]);
  assert.deepEqual(logout.properties?.["params"], { type: "null" });
  const start = variants[1]!;
  assert.deepEqual(start.properties?.["method"], { type: "string", enum: ["thread/start"] });
  assert.deepEqual(start.required, ["id", "method", "params"]);
  assert.equal(doc(full, "ServerNotification.json").oneOf?.length, 37);
  assert.equal(doc(full, "ServerRequest.json").oneOf?.length, 6);
});

Deno.test("integers keep only format and an unsigned minimum", () => {
  assert.deepEqual(doc(full, "RequestId.json")["anyOf"], [
    { type: "string" },
    { type: "integer", format: "int64" },
  ]);
  const limit = doc(full, "v2/ThreadListParams.json").properties?.["limit"];
  assert.deepEqual(limit, {
    anyOf: [{ type: "integer", minimum: 0, format: "uint32" }, { type: "null" }],
  });
});

Deno.test("params do not forbid unknown fields", () => {
  const params = doc(full, "v2/ThreadStartParams.json");
  assert.equal(params["additionalProperties"], undefined);
  assert.equal(params["$schema"], "http://json-schema.org/draft-07/schema#");
  assert.equal(params["title"], "ThreadStartParams");
});

Deno.test("every $ref resolves inside its own document", () => {
  for (const [path, value] of full) {
    if (path === BUNDLE_FILE) continue;
    const own = Object.keys((value as Doc).definitions ?? {});
    for (const ref of refsOf(value)) assert.ok(own.includes(ref), `${path} → ${ref}`);
  }
  const bundle = doc(full, BUNDLE_FILE);
  const defs = bundle.definitions!;
  const v2 = defs["v2"] as Record<string, unknown>;
  const text = JSON.stringify(bundle);
  for (const match of text.matchAll(/"\$ref":"#\/definitions\/(v2\/)?([A-Za-z0-9_]+)"/g)) {
    const table = match[1] ? v2 : defs;
    assert.ok(isObject(table) && Object.hasOwn(table, match[2]!), match[0]);
  }
  assert.ok(Object.hasOwn(v2, "ThreadStartParams"));
  assert.ok(Object.hasOwn(defs, "InitializeParams"));
});

Deno.test("writeJsonSchema writes every file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const count = await writeJsonSchema(dir, { experimental: false });
    assert.equal(count, stable.size);
    const text = await Deno.readTextFile(join(dir, "v2", "ThreadStartParams.json"));
    assert.equal(JSON.parse(text).title, "ThreadStartParams");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
