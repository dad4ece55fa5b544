/**
 * The typed shape of Codex 0.105.0's `config.toml`, as plain data that `schema.ts` interprets.
 * Struct names and enum lists match the reference binary's own error messages, so our
 * diagnostics read like the reference's.
 *
 * @module
 */

/** A description of what a config value may be. */
export type Spec =
  /** A string; `expect` is the serde wording (`a string`, `path string`). */
  | { t: "string"; expect?: string }
  | { t: "bool" }
  | { t: "int"; int: "i64" | "u64" | "usize" | "u16" }
  /** f64 seconds; `duration` rejects negatives like the reference's Duration conversion. */
  | { t: "float"; duration?: boolean }
  | {
    t: "enum";
    values: readonly string[];
    /** Variants that carry data: `newtype` or `struct`, with the body's spec. */
    variants?: Readonly<Record<string, { shape: "newtype" | "struct"; body: Spec }>>;
    /** Values with a dedicated error message instead of `unknown variant`. */
    special?: Readonly<Record<string, string>>;
  }
  | { t: "seq"; of: Spec }
  | { t: "map"; of: Spec }
  | {
    t: "struct";
    name: string;
    fields: Readonly<Record<string, Spec>>;
    required?: readonly string[];
    /** Fields unknown to us are not reported (structs we only know in part). */
    open?: boolean;
    /** Extra cross-field rule implemented in schema.ts. */
    rule?: "mcpServer";
  }
  /** Map of feature name → bool; errors are reported at the table, like the reference. */
  | { t: "features" }
  /** `bool` or array of strings (`tui.notifications`). */
  | { t: "boolOrStrings"; name: string }
  | { t: "any" };

const str: Spec = { t: "string" };
const path: Spec = { t: "string", expect: "path string" };
const bool: Spec = { t: "bool" };
const i64: Spec = { t: "int", int: "i64" };
const u64: Spec = { t: "int", int: "u64" };
const usize: Spec = { t: "int", int: "usize" };
const strings: Spec = { t: "seq", of: str };
const stringMap: Spec = { t: "map", of: str };
const en = (...values: string[]): Spec => ({ t: "enum", values });
const open = (name: string): Spec => ({ t: "struct", name, fields: {}, open: true });

const reasoningEffort = en("none", "minimal", "low", "medium", "high", "xhigh");
const sandboxMode = en("read-only", "workspace-write", "danger-full-access");
const webSearch = en("disabled", "cached", "live");

const rejectConfig: Spec = {
  t: "struct",
  name: "RejectConfig",
  fields: { sandbox_approval: bool, rules: bool, mcp_elicitations: bool },
  required: ["sandbox_approval", "rules", "mcp_elicitations"],
};

const approvalPolicy: Spec = {
  t: "enum",
  values: ["untrusted", "on-failure", "on-request", "reject", "never"],
  variants: { reject: { shape: "newtype", body: rejectConfig } },
};

const features: Spec = { t: "features" };
const analytics: Spec = { t: "struct", name: "AnalyticsConfigToml", fields: { enabled: bool } };
const windows = open("WindowsToml");

const tls: Spec = {
  t: "struct",
  name: "OtelTlsConfig",
  fields: { "ca-certificate": path, "client-certificate": path, "client-private-key": path },
};

function otlp(variant: string, http: boolean): Spec {
  const fields: Record<string, Spec> = { endpoint: str, headers: stringMap, tls };
  if (http) fields.protocol = en("binary", "json");
  return {
    t: "struct",
    name: `variant OtelExporterKind::${variant}`,
    fields,
    required: ["endpoint"],
  };
}

const otelExporter: Spec = {
  t: "enum",
  values: ["none", "statsig", "otlp-http", "otlp-grpc"],
  variants: {
    "otlp-http": { shape: "struct", body: otlp("OtlpHttp", true) },
    "otlp-grpc": { shape: "struct", body: otlp("OtlpGrpc", false) },
  },
};

const mcpServer: Spec = {
  t: "struct",
  name: "RawMcpServerConfig",
  rule: "mcpServer",
  fields: {
    command: str,
    args: strings,
    env: stringMap,
    env_vars: strings,
    cwd: path,
    url: str,
    bearer_token: str,
    bearer_token_env_var: str,
    http_headers: stringMap,
    env_http_headers: stringMap,
    enabled: bool,
    required: bool,
    startup_timeout_sec: { t: "float", duration: true },
    startup_timeout_ms: u64,
    tool_timeout_sec: { t: "float", duration: true },
    enabled_tools: strings,
    disabled_tools: strings,
    scopes: strings,
  },
};

/** The message the reference gives for the removed Chat Completions wire API. */
export const WIRE_API_CHAT_MESSAGE = '`wire_api = "chat"` is no longer supported.\n' +
  'How to fix: set `wire_api = "responses"` in your provider config.\n' +
  "More info: https://github.com/openai/codex/discussions/7782";

const modelProvider: Spec = {
  t: "struct",
  name: "ModelProviderInfo",
  required: ["name"],
  fields: {
    name: str,
    base_url: str,
    env_key: str,
    env_key_instructions: str,
    experimental_bearer_token: str,
    wire_api: { t: "enum", values: ["responses"], special: { chat: WIRE_API_CHAT_MESSAGE } },
    query_params: stringMap,
    http_headers: stringMap,
    env_http_headers: stringMap,
    request_max_retries: u64,
    stream_max_retries: u64,
    stream_idle_timeout_ms: u64,
    requires_openai_auth: bool,
    supports_websockets: bool,
  },
};

const profile: Spec = {
  t: "struct",
  name: "ConfigProfile",
  fields: {
    model: str,
    model_provider: str,
    approval_policy: approvalPolicy,
    sandbox_mode: sandboxMode,
    model_reasoning_effort: reasoningEffort,
    plan_mode_reasoning_effort: reasoningEffort,
    model_reasoning_summary: en("auto", "concise", "detailed", "none"),
    model_verbosity: en("low", "medium", "high"),
    personality: en("none", "friendly", "pragmatic"),
    chatgpt_base_url: str,
    web_search: webSearch,
    features,
    tools_web_search: bool,
    tools_view_image: bool,
    analytics,
    windows,
    experimental_instructions_file: path,
    experimental_compact_prompt_file: path,
    include_apply_patch_tool: bool,
    experimental_use_unified_exec_tool: bool,
    experimental_use_freeform_apply_patch: bool,
    model_instructions_file: path,
    model_catalog_json: path,
    zsh_path: path,
    oss_provider: str,
    js_repl_node_path: path,
  },
};

const tui: Spec = {
  t: "struct",
  name: "Tui",
  fields: {
    notifications: { t: "boolOrStrings", name: "Notifications" },
    notification_method: en("auto", "osc9", "bel"),
    animations: bool,
    show_tooltips: bool,
    status_line: strings,
    theme: str,
    alternate_screen: en("auto", "always", "never"),
  },
};

/** Fields in the order `config/read` lists them first; the rest follow. */
const CONFIG_FIELDS: Record<string, Spec> = {
  model: str,
  review_model: str,
  model_context_window: i64,
  model_auto_compact_token_limit: i64,
  model_provider: str,
  approval_policy: approvalPolicy,
  sandbox_mode: sandboxMode,
  sandbox_workspace_write: {
    t: "struct",
    name: "SandboxWorkspaceWrite",
    fields: {
      writable_roots: { t: "seq", of: path },
      network_access: bool,
      exclude_tmpdir_env_var: bool,
      exclude_slash_tmp: bool,
    },
  },
  forced_chatgpt_workspace_id: str,
  forced_login_method: en("chatgpt", "api"),
  web_search: webSearch,
  tools: { t: "struct", name: "ToolsToml", fields: { web_search: bool, view_image: bool } },
  profile: str,
  profiles: { t: "map", of: profile },
  instructions: str,
  developer_instructions: str,
  compact_prompt: str,
  model_reasoning_effort: reasoningEffort,
  model_reasoning_summary: en("auto", "concise", "detailed", "none"),
  model_verbosity: en("low", "medium", "high"),
  analytics,
  apps: open("AppsConfigToml"),
  // The rest, roughly in the reference's declaration order.
  shell_environment_policy: {
    t: "struct",
    name: "ShellEnvironmentPolicyToml",
    fields: {
      inherit: en("core", "all", "none"),
      ignore_default_excludes: bool,
      exclude: strings,
      include_only: strings,
      set: stringMap,
      experimental_use_profile: bool,
    },
  },
  allow_login_shell: bool,
  permissions: open("PermissionsToml"),
  notify: strings,
  model_instructions_file: path,
  commit_attribution: str,
  cli_auth_credentials_store: en("file", "keyring", "auto", "ephemeral"),
  mcp_servers: { t: "map", of: mcpServer },
  mcp_oauth_credentials_store: en("auto", "file", "keyring"),
  mcp_oauth_callback_port: { t: "int", int: "u16" },
  mcp_oauth_callback_url: str,
  model_providers: { t: "map", of: modelProvider },
  project_doc_max_bytes: usize,
  project_doc_fallback_filenames: strings,
  tool_output_token_limit: usize,
  background_terminal_max_timeout: u64,
  js_repl_node_path: path,
  js_repl_node_module_dirs: { t: "seq", of: path },
  history: {
    t: "struct",
    name: "History",
    fields: { persistence: en("save-all", "none"), max_bytes: usize },
    required: ["persistence"],
  },
  sqlite_home: path,
  log_dir: path,
  file_opener: en("vscode", "vscode-insiders", "windsurf", "cursor", "none"),
  tui,
  hide_agent_reasoning: bool,
  show_raw_agent_reasoning: bool,
  plan_mode_reasoning_effort: reasoningEffort,
  model_supports_reasoning_summaries: bool,
  model_catalog_json: path,
  personality: en("none", "friendly", "pragmatic"),
  chatgpt_base_url: str,
  experimental_realtime_ws_base_url: str,
  experimental_realtime_ws_backend_prompt: str,
  projects: {
    t: "map",
    of: {
      t: "struct",
      name: "ProjectConfig",
      fields: { trust_level: en("trusted", "untrusted") },
    },
  },
  agents: open("AgentsToml"),
  memories: open("MemoriesToml"),
  skills: open("SkillsConfig"),
  features,
  suppress_unstable_features_warning: bool,
  ghost_snapshot: open("GhostSnapshotToml"),
  project_root_markers: strings,
  check_for_update_on_startup: bool,
  disable_paste_burst: bool,
  otel: {
    t: "struct",
    name: "OtelConfigToml",
    fields: {
      log_user_prompt: bool,
      environment: str,
      exporter: otelExporter,
      trace_exporter: otelExporter,
      metrics_exporter: otelExporter,
    },
  },
  feedback: { t: "struct", name: "FeedbackConfigToml", fields: { enabled: bool } },
  windows,
  windows_wsl_setup_acknowledged: bool,
  notice: open("Notice"),
  experimental_instructions_file: path,
  experimental_compact_prompt_file: path,
  experimental_use_unified_exec_tool: bool,
  experimental_use_freeform_apply_patch: bool,
  oss_provider: str,
  zsh_path: path,
  // Ours: how long an approval request may wait, in whole seconds.
  approval_timeout_secs: u64,
};

/** The whole `config.toml`. */
export const CONFIG_TOML: Spec = { t: "struct", name: "ConfigToml", fields: CONFIG_FIELDS };

/** The known top-level keys, `config/read`'s leading keys first. */
export const CONFIG_TOP_LEVEL_KEYS: readonly string[] = Object.freeze(Object.keys(CONFIG_FIELDS));
