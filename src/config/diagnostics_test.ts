import assert from "node:assert/strict";
import { formatProblem, locateProblem, renderProblem } from "./diagnostics.ts";
import { parseToml } from "./toml_read.ts";
import { validateConfig } from "./schema.ts";
import type { ConfigProblem } from "./types.ts";

const FILE = "/home/u/.codex/config.toml";

/** The pipeline a loader runs on one file: parse, validate, locate; all problems but unknown keys. */
function diagnose(text: string): ConfigProblem[] {
  const parsed = parseToml(text, FILE);
  if (parsed.problems.length > 0) return parsed.problems;
  return validateConfig(parsed.table).problems
    .filter((p) => p.kind !== "unknownKey")
    .map((p) => locateProblem(p, FILE, text));
}

function short(p: ConfigProblem): string {
  const r = p.range!;
  return `${r.start.line}:${r.start.column}..${r.end.line}:${r.end.column} ${p.message}`;
}

/**
 * [config.toml, "start..end message"] as the reference 0.105.0 reports them (its configWarning
 * `range` and `details`), except where marked "ours".
 */
const CASES: ReadonlyArray<readonly [string, string]> = [
  // Syntax errors, at the parser's position, zero-width.
  ["[features\ncollaboration_modes = true\n", "1:10..1:10 unclosed table, expected `]`"],
  ['model = "a"\nmodel = "b"\n', "2:1..2:5 duplicate key"],
  ['"model" = "a"\nmodel = "b"\n', "2:1..2:5 duplicate key"],
  ['"a" = 1\n"\\u0061" = 2\n', "2:1..2:8 duplicate key"],
  ["[a]\nx=1\n[a]\ny=2\n", "3:2..3:2 duplicate key"],
  ["a.b = 1\na.b = 2\n", "2:3..2:3 duplicate key"],
  ["a = { b = 1, b = 2 }\n", "1:14..1:14 duplicate key"],
  ["a = 1\n[a]\n", "2:2..2:2 duplicate key"],
  ["[[a]]\n[a]\n", "2:2..2:2 duplicate key"],
  ["[a.b]\n[a]\nb=1\n", "3:1..3:1 duplicate key"],
  ["[a]\nb=1\n[a.b]\n", "3:4..3:4 duplicate key"],
  ["a=[]\n[[a]]\n", "2:3..2:3 duplicate key"],
  ["[x]\na.b = 1\n[x.a]\n", "3:4..3:4 duplicate key"],
  ["[a]\n[a.b]\n[a]\n", "3:2..3:2 duplicate key"],
  ['[ a . "b" ]\n[a.b]\n', "2:4..2:4 duplicate key"],
  ["aaa = 1\naaa.b = 2\n", "2:1..2:3 cannot extend value of type integer with a dotted key"],
  ["a = {b=1}\na.c = 2\n", "2:1..2:1 cannot extend value of type inline table with a dotted key"],
  ["a = { b = 1, b.c = 2 }\n", "1:14..1:14 cannot extend value of type integer with a dotted key"],
  // ours: smol-toml's wording, at the same position as the reference.
  [
    'model = "日本語" x\n',
    "1:15..1:15 each key-value declaration must be followed by an end-of-line",
  ],
  ['x = "😀😀" y\n', "1:10..1:10 each key-value declaration must be followed by an end-of-line"],
  ["a = 0777\n", "1:5..1:5 illegal leading zero"],
  [
    "a = 1\r\nb = 2 x\r\n",
    "2:7..2:7 each key-value declaration must be followed by an end-of-line",
  ],
  [
    "a = 99999999999999999999\n",
    "1:5..1:24 invalid type: integer `99999999999999999999` as i128, expected any valid TOML value",
  ],
  // Wrong types: the range covers the value token.
  [
    '[features]\ncollaboration_modes = "true"\n',
    '2:23..2:28 invalid type: string "true", expected a boolean',
  ],
  ["features = 1\n", "1:12..1:12 invalid type: integer `1`, expected struct FeaturesToml"],
  [
    '[features]\na = true\nb = 1\nc = "x"\n',
    "3:5..3:5 invalid type: integer `1`, expected a boolean",
  ],
  ["features = { a = 1.5 }\n", "1:18..1:20 invalid type: floating point `1.5`, expected a boolean"],
  ['features.a = "x"\nfeatures.b = 1\n', '1:14..1:16 invalid type: string "x", expected a boolean'],
  ["[features]\na = 1979-05-27\n", "2:5..2:14 invalid type: map, expected a boolean"],
  ["model = 1\n", "1:9..1:9 invalid type: integer `1`, expected a string"],
  ["model = true\n", "1:9..1:12 invalid type: boolean `true`, expected a string"],
  ["model = 1.5\n", "1:9..1:11 invalid type: floating point `1.5`, expected a string"],
  ["model = [1]\n", "1:9..1:11 invalid type: sequence, expected a string"],
  ["model = {a=1}\n", "1:9..1:13 invalid type: map, expected a string"],
  ['model_context_window = "big"\n', '1:24..1:28 invalid type: string "big", expected i64'],
  ["model_context_window = 1.5\n", "1:24..1:26 invalid type: floating point `1.5`, expected i64"],
  [
    "model_auto_compact_token_limit = true\n",
    "1:34..1:37 invalid type: boolean `true`, expected i64",
  ],
  ["hide_agent_reasoning = 1979-05-27\n", "1:24..1:33 invalid type: map, expected a boolean"],
  ["mcp_oauth_callback_port = 70000\n", "1:27..1:31 invalid value: integer `70000`, expected u16"],
  [
    'tools = { x = "日本語", web_search = "no" }\n',
    '1:35..1:38 invalid type: string "no", expected a boolean',
  ],
  ["tools = 1\n", "1:9..1:9 invalid type: integer `1`, expected struct ToolsToml"],
  ["tools = {view_image = 1}\n", "1:23..1:23 invalid type: integer `1`, expected a boolean"],
  // Enums.
  [
    'approval_policy = "bogus"\n',
    "1:19..1:25 unknown variant `bogus`, expected one of `untrusted`, `on-failure`, `on-request`, `reject`, `never`",
  ],
  ["approval_policy = 1\n", "1:19..1:19 wanted string or table"],
  ['approval_policy = ["never"]\n', "1:19..1:27 wanted string or table"],
  ["approval_policy = {}\n", "1:19..1:20 wanted exactly 1 element, found 0 elements"],
  [
    "approval_policy = {never = 1, reject = 1}\n",
    "1:19..1:41 wanted exactly 1 element, more than 1 element",
  ],
  [
    "approval_policy = {bogus = 1}\n",
    "1:19..1:29 unknown variant `bogus`, expected one of `untrusted`, `on-failure`, `on-request`, `reject`, `never`",
  ],
  [
    "approval_policy = {reject = 1}\n",
    "1:29..1:29 invalid type: integer `1`, expected struct RejectConfig",
  ],
  ["approval_policy = {reject = {}}\n", "1:29..1:30 missing field `sandbox_approval`"],
  ["approval_policy = {reject={sandbox_approval=true}}\n", "1:27..1:49 missing field `rules`"],
  [
    "approval_policy = {reject = {sandbox_approval = 1}}\n",
    "1:49..1:49 invalid type: integer `1`, expected a boolean",
  ],
  [
    'approval_policy = "reject"\n',
    "1:19..1:26 invalid type: unit variant, expected newtype variant",
  ],
  [
    'sandbox_mode = "x"\n',
    "1:16..1:18 unknown variant `x`, expected one of `read-only`, `workspace-write`, `danger-full-access`",
  ],
  ["sandbox_mode = 1\n", "1:16..1:16 wanted string or table"],
  [
    "sandbox_mode = {a=1}\n",
    "1:16..1:20 unknown variant `a`, expected one of `read-only`, `workspace-write`, `danger-full-access`",
  ],
  [
    'model_reasoning_summary = "x"\n',
    "1:27..1:29 unknown variant `x`, expected one of `auto`, `concise`, `detailed`, `none`",
  ],
  [
    'model_verbosity = "x"\n',
    "1:19..1:21 unknown variant `x`, expected one of `low`, `medium`, `high`",
  ],
  [
    'personality = "x"\n',
    "1:15..1:17 unknown variant `x`, expected one of `none`, `friendly`, `pragmatic`",
  ],
  ['forced_login_method = "x"\n', "1:23..1:25 unknown variant `x`, expected `chatgpt` or `api`"],
  [
    'cli_auth_credentials_store = "x"\n',
    "1:30..1:32 unknown variant `x`, expected one of `file`, `keyring`, `auto`, `ephemeral`",
  ],
  [
    'file_opener = "x"\n',
    "1:15..1:17 unknown variant `x`, expected one of `vscode`, `vscode-insiders`, `windsurf`, `cursor`, `none`",
  ],
  [
    'web_search = "x"\n',
    "1:14..1:16 unknown variant `x`, expected one of `disabled`, `cached`, `live`",
  ],
  [
    'mcp_oauth_credentials_store = "zzz"\n',
    "1:31..1:35 unknown variant `zzz`, expected one of `auto`, `file`, `keyring`",
  ],
  // Arrays: the element, and the whole value for a non-array.
  ['notify = "x"\n', '1:10..1:12 invalid type: string "x", expected a sequence'],
  ["notify = [1]\n", "1:11..1:11 invalid type: integer `1`, expected a string"],
  ['notify = ["a", 1, 2]\n', "1:16..1:16 invalid type: integer `1`, expected a string"],
  ['project_root_markers = "x"\n', '1:24..1:26 invalid type: string "x", expected a sequence'],
  [
    '[sandbox_workspace_write]\nwritable_roots = [\n  "/a",\n  5,\n]\n',
    "4:3..4:3 invalid type: integer `5`, expected path string",
  ],
  [
    "sandbox_workspace_write = 1\n",
    "1:27..1:27 invalid type: integer `1`, expected struct SandboxWorkspaceWrite",
  ],
  [
    '[sandbox_workspace_write]\nnetwork_access = "x"\n',
    '2:18..2:20 invalid type: string "x", expected a boolean',
  ],
  // Tables.
  [
    '[shell_environment_policy]\ninherit = "x"\n',
    "2:11..2:13 unknown variant `x`, expected one of `core`, `all`, `none`",
  ],
  [
    "[shell_environment_policy]\nset = { A = 1 }\n",
    "2:13..2:13 invalid type: integer `1`, expected a string",
  ],
  [
    "[shell_environment_policy]\nexclude = [1]\n",
    "2:12..2:12 invalid type: integer `1`, expected a string",
  ],
  [
    "shell_environment_policy = 1\n",
    "1:28..1:28 invalid type: integer `1`, expected struct ShellEnvironmentPolicyToml",
  ],
  [
    '[history]\npersistence = "x"\n',
    "2:15..2:17 unknown variant `x`, expected `save-all` or `none`",
  ],
  ['[history]\nmax_bytes = "x"\n', '2:13..2:15 invalid type: string "x", expected usize'],
  [
    '[history]\npersistence = "none"\nmax_bytes = -1\n',
    "3:13..3:14 invalid value: integer `-1`, expected usize",
  ],
  ["[history]\nfoo = 1\n", "1:1..1:9 missing field `persistence`"],
  ["history = 1\n", "1:11..1:11 invalid type: integer `1`, expected struct History"],
  [
    '[otel]\nexporter = "x"\n',
    "2:12..2:14 unknown variant `x`, expected one of `none`, `statsig`, `otlp-http`, `otlp-grpc`",
  ],
  [
    "[otel]\nexporter = { otlp-http = 1 }\n",
    "2:26..2:26 invalid type: integer `1`, expected struct variant OtelExporterKind::OtlpHttp",
  ],
  ["[otel]\nexporter = { otlp-http = {} }\n", "2:26..2:27 missing field `endpoint`"],
  [
    '[otel]\nexporter = "otlp-http"\n',
    "2:12..2:22 invalid type: unit variant, expected struct variant",
  ],
  ["otel = 1\n", "1:8..1:8 invalid type: integer `1`, expected struct OtelConfigToml"],
  [
    "[tui]\nnotifications = 1\n",
    "2:17..2:17 data did not match any variant of untagged enum Notifications",
  ],
  [
    '[tui]\nnotifications = ["a", 1]\n',
    "2:17..2:24 data did not match any variant of untagged enum Notifications",
  ],
  [
    '[tui]\nalternate_screen = "zzz"\n',
    "2:20..2:24 unknown variant `zzz`, expected one of `auto`, `always`, `never`",
  ],
  ["tui = 1\n", "1:7..1:7 invalid type: integer `1`, expected struct Tui"],
  ["[analytics]\nenabled = 1\n", "2:11..2:11 invalid type: integer `1`, expected a boolean"],
  ["analytics = 1\n", "1:13..1:13 invalid type: integer `1`, expected struct AnalyticsConfigToml"],
  ["[feedback]\nenabled = 1\n", "2:11..2:11 invalid type: integer `1`, expected a boolean"],
  // Model providers: missing required field points at the header.
  ['[model_providers.foo]\nbase_url = "http://x"\n', "1:1..1:21 missing field `name`"],
  ["[model_providers.foo]\nname = 1\n", "2:8..2:8 invalid type: integer `1`, expected a string"],
  [
    '[model_providers.foo]\nname = "x"\nwire_api = "chat"\n',
    '3:12..3:17 `wire_api = "chat"` is no longer supported.\nHow to fix: set `wire_api = "responses"` in your provider config.\nMore info: https://github.com/openai/codex/discussions/7782',
  ],
  [
    '[model_providers.foo]\nname = "x"\nwire_api = "bogus"\n',
    "3:12..3:18 unknown variant `bogus`, expected `responses`",
  ],
  [
    '[model_providers.foo]\nname = "x"\nrequest_max_retries = -1\n',
    "3:23..3:24 invalid value: integer `-1`, expected u64",
  ],
  [
    '[model_providers.foo]\nname = "x"\nstream_idle_timeout_ms = "x"\n',
    '3:26..3:28 invalid type: string "x", expected u64',
  ],
  [
    '[model_providers.foo]\nname = "x"\nquery_params = {a = 1}\n',
    "3:21..3:21 invalid type: integer `1`, expected a string",
  ],
  ["model_providers = 1\n", "1:19..1:19 invalid type: integer `1`, expected a map"],
  [
    "model_providers.foo = 1\n",
    "1:23..1:23 invalid type: integer `1`, expected struct ModelProviderInfo",
  ],
  // MCP servers: transport errors point at the server's header.
  ["[mcp_servers.a]\n", "1:1..1:15 invalid transport"],
  ['[mcp_servers.a]\ncommand = "x"\nurl = "u"\n', "1:1..1:15 url is not supported for stdio"],
  [
    '[mcp_servers.a]\nurl = "u"\nenv = {A="b"}\n',
    "1:1..1:15 env is not supported for streamable_http",
  ],
  [
    '[mcp_servers.a]\ncommand = "x"\nbearer_token_env_var = "B"\n',
    "1:1..1:15 bearer_token_env_var is not supported for stdio",
  ],
  [
    '[mcp_servers.a]\nurl = "x"\nbearer_token = "B"\n',
    "1:1..1:15 bearer_token is not supported for streamable_http",
  ],
  [
    '[mcp_servers.a]\ncommand = "x"\nbearer_token = "B"\n',
    "1:1..1:15 bearer_token is not supported for stdio",
  ],
  [
    '[mcp_servers.a]\ncommand = "x"\nenv_http_headers = {a="b"}\nhttp_headers={a="b"}\n',
    "1:1..1:15 http_headers is not supported for stdio",
  ],
  [
    '[mcp_servers.a]\nurl = "x"\ncwd = "/b"\nenv_vars=["a"]\nenv={a="b"}\nargs=["a"]\n',
    "1:1..1:15 args is not supported for streamable_http",
  ],
  [
    '[mcp_servers.a]\nurl = "x"\nbearer_token = "B"\ncwd = "/b"\n',
    "1:1..1:15 cwd is not supported for streamable_http",
  ],
  ["[mcp_servers.a]\ncommand = 1\n", "2:11..2:11 invalid type: integer `1`, expected a string"],
  [
    '[mcp_servers.a]\ncommand = "x"\nargs = "y"\n',
    '3:8..3:10 invalid type: string "y", expected a sequence',
  ],
  [
    '[mcp_servers.a]\ncommand = "x"\nstartup_timeout_sec = "y"\n',
    '3:23..3:25 invalid type: string "y", expected f64',
  ],
  [
    '[mcp_servers.a]\ncommand = "x"\nstartup_timeout_ms = -1\n',
    "3:22..3:23 invalid value: integer `-1`, expected u64",
  ],
  [
    '[mcp_servers.a]\ncommand = "x"\ntool_timeout_sec = -1\n',
    "3:20..3:21 cannot convert float seconds to Duration: value is negative",
  ],
  [
    '[mcp_servers.a]\ncommand = "x"\ncwd = 1\n',
    "3:7..3:7 invalid type: integer `1`, expected path string",
  ],
  [
    '[mcp_servers.a]\ncommand = "x"\nenv = {A=1}\n',
    "3:10..3:10 invalid type: integer `1`, expected a string",
  ],
  ["mcp_servers = 1\n", "1:15..1:15 invalid type: integer `1`, expected a map"],
  [
    "mcp_servers.a = 1\n",
    "1:17..1:17 invalid type: integer `1`, expected struct RawMcpServerConfig",
  ],
  // Profiles and projects.
  [
    '[profiles.p]\nmodel_reasoning_effort = "ultra"\n',
    "2:26..2:32 unknown variant `ultra`, expected one of `none`, `minimal`, `low`, `medium`, `high`, `xhigh`",
  ],
  ["[profiles.p]\nmodel = 1\n", "2:9..2:9 invalid type: integer `1`, expected a string"],
  [
    "[profiles.p]\nfeatures = { a = 1 }\n",
    "2:12..2:20 invalid type: integer `1`, expected a boolean",
  ],
  ["profiles = 1\n", "1:12..1:12 invalid type: integer `1`, expected a map"],
  ["profiles.p = 1\n", "1:14..1:14 invalid type: integer `1`, expected struct ConfigProfile"],
  [
    '[projects."/x"]\ntrust_level = "bogus"\n',
    "2:15..2:21 unknown variant `bogus`, expected `trusted` or `untrusted`",
  ],
  ['projects."/x" = 1\n', "1:17..1:17 invalid type: integer `1`, expected struct ProjectConfig"],
  // ours: a key of our own.
  ["approval_timeout_secs = -5\n", "1:25..1:26 invalid value: integer `-5`, expected u64"],
];

for (const [text, want] of CASES) {
  Deno.test(`diagnose ${JSON.stringify(text)}`, () => {
    const problems = diagnose(text);
    assert.ok(problems.length > 0, "expected a problem");
    assert.equal(short(problems[0]!), want);
    assert.equal(problems[0]!.file, FILE);
  });
}

const VALID = [
  'model = "gpt-5"\n',
  "model = 1979-05-27\n",
  "model_context_window = -5\n",
  'sandbox_workspace_write = { writable_roots = ["rel"] }\n',
  '[projects."/x"]\n',
  "approval_policy = { reject = { sandbox_approval = true, rules = false, mcp_elicitations = true } }\n",
  '[mcp_servers.a]\ncommand = "x"\nstartup_timeout_sec = 1\nstartup_timeout_ms = 5\n',
  '[otel]\nexporter = { otlp-http = { endpoint = "http://x", protocol = "json" } }\n',
  "[tui]\nnotifications = true\n",
  '[tui]\nnotifications = ["a"]\n',
];

Deno.test("diagnose() accepts valid files", () => {
  for (const text of VALID) assert.deepEqual(diagnose(text), [], text);
});

Deno.test("formatProblem() prints file:line:col or the bare message", () => {
  const [p] = diagnose('[features]\ncollaboration_modes = "true"\n');
  assert.equal(
    formatProblem(p!),
    `${FILE}:2:23: invalid type: string "true", expected a boolean`,
  );
  assert.equal(
    formatProblem({ kind: "reference", file: null, range: null, keyPath: null, message: "m" }),
    "m",
  );
  assert.equal(formatProblem({ ...p!, range: null }), p!.message);
});

Deno.test("renderProblem() matches the reference's layout", () => {
  const text = '[features]\ncollaboration_modes = "true"\n';
  const [p] = diagnose(text);
  assert.equal(
    renderProblem(p!, text),
    `${FILE}:2:23: invalid type: string "true", expected a boolean\n` +
      "  |\n" +
      '2 | collaboration_modes = "true"\n' +
      "  |                       ^^^^^^",
  );
});

Deno.test("renderProblem() widens the gutter, counts characters and keeps tabs", () => {
  const text = "\n".repeat(9) + '\ttools = { x = "日本語", web_search = "no" }\n';
  const [p] = diagnose(text);
  const out = renderProblem(p!, text).split("\n");
  assert.equal(out[0], `${FILE}:10:36: invalid type: string "no", expected a boolean`);
  assert.equal(out[1], "   |");
  assert.equal(out[3], "   | \t" + " ".repeat(34) + "^^^^");
});

Deno.test("renderProblem() draws one caret for a zero-width range and handles multi-line spans", () => {
  const text = "[features\n";
  const [p] = diagnose(text);
  assert.equal(renderProblem(p!, text).split("\n")[3], "  |          ^");
  const multi = 'model = """a\nb"""\n';
  const problem: ConfigProblem = {
    kind: "type",
    file: FILE,
    keyPath: "model",
    message: "m",
    range: { start: { line: 1, column: 9 }, end: { line: 2, column: 4 } },
  };
  assert.equal(renderProblem(problem, multi).split("\n")[3], "  |         ^^^^");
});

Deno.test("renderProblem() without text or range is the formatted line; color adds ANSI", () => {
  const p: ConfigProblem = { kind: "syntax", file: FILE, range: null, keyPath: null, message: "x" };
  assert.equal(renderProblem(p, "a = 1\n"), "x");
  const text = "model = 1\n";
  const [q] = diagnose(text);
  const colored = renderProblem(q!, text, { color: true });
  assert.ok(colored.startsWith(`\x1b[1m${FILE}:1:9:`));
  assert.ok(colored.endsWith("\x1b[31m^\x1b[0m"));
});

Deno.test("locateProblem() keeps an existing range and falls back to 1:1", () => {
  const range = { start: { line: 3, column: 2 }, end: { line: 3, column: 4 } };
  const base: ConfigProblem = { kind: "type", file: null, range, keyPath: "x", message: "m" };
  assert.deepEqual(locateProblem(base, FILE, "").range, range);
  const lost = locateProblem({ ...base, range: null, keyPath: "nope.gone" }, FILE, "a = 1\n");
  assert.deepEqual(lost.range, { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } });
  assert.equal(lost.file, FILE);
});

Deno.test("locateProblem() shows an unknown key at the key, not at its value", () => {
  const text = 'model = "x"\n[tui]\nzzz = 1\n[a.b]\nc.d = 2\n';
  const at = (keyPath: string) =>
    locateProblem(
      { kind: "unknownKey", file: null, range: null, keyPath, message: "unknown key" },
      FILE,
      text,
    ).range;
  assert.deepEqual(at("tui.zzz"), { start: { line: 3, column: 1 }, end: { line: 3, column: 3 } });
  assert.deepEqual(at("a.b.c"), { start: { line: 5, column: 1 }, end: { line: 5, column: 1 } });
});
