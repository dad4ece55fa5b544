import assert from "node:assert/strict";
import { ServerProcess } from "./support/server.ts";
import { StdioClient } from "./support/clients.ts";

/** Runs a stdio server, feeds it one unparseable line and a request, and returns stderr. */
async function stderrAfterGarbage(env: Record<string, string>): Promise<string> {
  const server = await ServerProcess.start({ env });
  try {
    const client = new StdioClient(server);
    await client.sendRaw("not json");
    await client.initialize();
    await client.request("mock/experimentalMethod", {});
    await client.closeInput();
    assert.equal((await server.exited()).code, 0);
    return server.stderr;
  } finally {
    await server.close();
  }
}

Deno.test("logging: LOG_FORMAT=json writes one JSON object per line on stderr", async () => {
  const stderr = await stderrAfterGarbage({ LOG_FORMAT: " JSON ", RUST_LOG: "trace" });
  const lines = stderr.split("\n").filter((l) => l !== "");
  assert.ok(lines.length >= 2, stderr);
  const records = lines.map((l) => JSON.parse(l));
  for (const r of records) {
    assert.deepEqual(Object.keys(r), ["timestamp", "level", "fields", "target"]);
    assert.match(r.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(typeof r.fields.message, "string");
  }
  const parseFailure = records.find((r) => r.fields.message.startsWith("Failed to deserialize"));
  assert.equal(parseFailure?.level, "ERROR");
  assert.equal(parseFailure?.target, "codex_app_server::message_processor");
  const traced = records.find((r) => r.fields.message === "app-server request: initialize");
  assert.equal(traced?.level, "TRACE");
});

Deno.test("logging: the default filter shows errors only, in text", async () => {
  const stderr = await stderrAfterGarbage({});
  const lines = stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, stderr);
  assert.match(
    lines[0]!,
    /^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR codex_app_server::message_processor: Failed to deserialize/,
  );
});

Deno.test("logging: RUST_LOG targets filter by module", async () => {
  const stderr = await stderrAfterGarbage({ RUST_LOG: "codex_app_server::transport=trace" });
  assert.equal(stderr.includes("message_processor"), false, stderr);
  assert.match(stderr, /codex_app_server::transport: stdin reader finished \(EOF\)/);
});
