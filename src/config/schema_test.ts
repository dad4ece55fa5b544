import assert from "node:assert/strict";
import { CONFIG_READ_KEYS, KNOWN_TOP_LEVEL_KEYS, validateConfig } from "./schema.ts";
import type { TomlTable } from "./types.ts";

function summary(table: TomlTable): string[] {
  return validateConfig(table).problems.map((p) => `${p.kind} ${p.keyPath}: ${p.message}`);
}

Deno.test("validateConfig() accepts a full valid config and keeps it as is", () => {
  const table: TomlTable = {
    model: "gpt-5",
    model_provider: "local",
    approval_policy: "on-request",
    sandbox_mode: "workspace-write",
    sandbox_workspace_write: { writable_roots: ["/tmp"], network_access: true },
    model_providers: { local: { name: "L", base_url: "http://x", wire_api: "responses" } },
    mcp_servers: {
      a: { command: "x", args: ["y"], env: { K: "v" }, startup_timeout_sec: 2.5 },
      b: { url: "http://m", bearer_token_env_var: "T", http_headers: { h: "v" } },
    },
    features: { shell_tool: true, unknown_feature: false },
    profiles: { p: { model: "o3", approval_policy: "never", features: { x: true } } },
    projects: { "/home/u/p.v2": { trust_level: "trusted" } },
    history: { persistence: "save-all", max_bytes: 1000 },
    otel: { exporter: { "otlp-grpc": { endpoint: "http://o" } }, log_user_prompt: false },
    tui: { notifications: ["a"] },
    notify: ["notify-send", "hi"],
    project_root_markers: [],
    model_context_window: 9007199254740993n,
    approval_timeout_secs: 30,
  };
  const { problems, sanitized } = validateConfig(table);
  assert.deepEqual(problems, []);
  assert.deepEqual(sanitized, table);
});

Deno.test("validateConfig() reports every problem with serde-style messages", () => {
  assert.deepEqual(
    summary({
      model: 1,
      features: { a: true, b: 1, c: "x" },
      notify: ["a", 1, 2],
      projects: { "/x.y": { trust_level: "maybe" } },
      profiles: { p: { features: { z: 1.5 } } },
    }),
    [
      "type model: invalid type: integer `1`, expected a string",
      "type features: invalid type: integer `1`, expected a boolean",
      'type features: invalid type: string "x", expected a boolean',
      "type notify[1]: invalid type: integer `1`, expected a string",
      "type notify[2]: invalid type: integer `2`, expected a string",
      'type projects."/x.y".trust_level: unknown variant `maybe`, expected `trusted` or `untrusted`',
      "type profiles.p.features: invalid type: floating point `1.5`, expected a boolean",
    ],
  );
});

Deno.test("validateConfig() reports unknown keys and keeps them", () => {
  const table: TomlTable = {
    bogus_key: 1,
    tui: { zzz: 1 },
    features: { foo_unknown: true },
    mcp_servers: { a: { command: "x", foo: 1 } },
    apps: { anything: { goes: 1 } },
  };
  const { problems, sanitized } = validateConfig(table);
  assert.deepEqual(problems.map((p) => [p.kind, p.keyPath, p.message]), [
    ["unknownKey", "bogus_key", "unknown key `bogus_key`"],
    ["unknownKey", "tui.zzz", "unknown key `zzz`"],
    ["unknownKey", "mcp_servers.a.foo", "unknown key `foo`"],
  ]);
  assert.deepEqual(sanitized, table);
});

Deno.test("validateConfig() removes invalid values at the smallest key", () => {
  const { sanitized } = validateConfig({
    model: "ok",
    model_context_window: "big",
    sandbox_workspace_write: { writable_roots: ["/a", 5], network_access: true },
    features: { a: true, b: 1 },
    shell_environment_policy: { set: { A: "1", B: 2 } },
    model_providers: { good: { name: "G" }, bad: { base_url: "http://x" } },
    mcp_servers: {
      ok: { command: "x" },
      mixed: { command: "x", url: "u" },
      none: { args: ["y"] },
      typo: { command: 1 },
    },
    approval_policy: { reject: { sandbox_approval: true } },
    history: { max_bytes: 5 },
    tools: { web_search: "no", view_image: true },
  });
  assert.deepEqual(sanitized, {
    model: "ok",
    sandbox_workspace_write: { network_access: true },
    features: { a: true },
    shell_environment_policy: { set: { A: "1" } },
    model_providers: { good: { name: "G" } },
    mcp_servers: { ok: { command: "x" } },
    tools: { view_image: true },
  });
});

Deno.test("validateConfig() does not pile a transport error on a field error", () => {
  assert.deepEqual(summary({ mcp_servers: { a: { command: 1 } } }), [
    "type mcp_servers.a.command: invalid type: integer `1`, expected a string",
  ]);
  assert.deepEqual(summary({ model_providers: { a: { name: 1 } } }), [
    "type model_providers.a.name: invalid type: integer `1`, expected a string",
  ]);
});

Deno.test("validateConfig() prints values like serde does", () => {
  const cases: ReadonlyArray<readonly [TomlTable, string]> = [
    [{ hide_agent_reasoning: 'a"b\\c\n\u0001é' }, 'string "a\\"b\\\\c\\n\\u{1}é"'],
    [{ hide_agent_reasoning: 1e-7 }, "floating point `0.0000001`"],
    [{ hide_agent_reasoning: Infinity }, "floating point `inf`"],
    [{ hide_agent_reasoning: NaN }, "floating point `NaN`"],
    [{ hide_agent_reasoning: -3 }, "integer `-3`"],
    [{ hide_agent_reasoning: 9007199254740993n }, "integer `9007199254740993`"],
    [{ hide_agent_reasoning: 1e21 }, "integer `1000000000000000000000`"],
  ];
  for (const [table, unexpected] of cases) {
    assert.deepEqual(summary(table), [
      `type hide_agent_reasoning: invalid type: ${unexpected}, expected a boolean`,
    ]);
  }
});

Deno.test("validateConfig() checks integer ranges", () => {
  assert.deepEqual(summary({ model_context_window: -9223372036854775808n }), []);
  assert.deepEqual(summary({ mcp_oauth_callback_port: 65535 }), []);
  assert.deepEqual(summary({ project_doc_max_bytes: -1 }), [
    "type project_doc_max_bytes: invalid value: integer `-1`, expected usize",
  ]);
});

Deno.test("KNOWN_TOP_LEVEL_KEYS starts with config/read's order and covers config.md §1.7", () => {
  assert.deepEqual(KNOWN_TOP_LEVEL_KEYS.slice(0, CONFIG_READ_KEYS.length), CONFIG_READ_KEYS);
  for (
    const key of [
      "personality",
      "chatgpt_base_url",
      "cli_auth_credentials_store",
      "file_opener",
      "notify",
      "project_root_markers",
      "shell_environment_policy",
      "model_providers",
      "mcp_servers",
      "features",
      "projects",
      "history",
      "otel",
      "feedback",
      "tui",
      "approval_timeout_secs",
    ]
  ) assert.ok(KNOWN_TOP_LEVEL_KEYS.includes(key), key);
  assert.equal(new Set(KNOWN_TOP_LEVEL_KEYS).size, KNOWN_TOP_LEVEL_KEYS.length);
});
