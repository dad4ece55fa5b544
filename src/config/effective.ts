/**
 * The typed configuration the server acts on: the merged layers with the selected profile
 * applied, built-in defaults filled in and admin requirements enforced. `config/read` reports
 * the merged layers instead (without profile or requirements), as the reference does.
 *
 * @module
 */

import { isTomlTable, mergeTables } from "./merge.ts";
import { providerExists, selectedProfile } from "./load.ts";
import { constrain, type McpAllowList, type RequirementSources } from "./requirements.ts";
import { DEFAULT_PROJECT_ROOT_MARKERS } from "./layers.ts";
import { type ConfigRequirements, Verbosity, WebSearchMode } from "../protocol/schema/config.ts";
import { AskForApproval, SandboxMode } from "../protocol/schema/sandbox.ts";
import { Personality, ReasoningEffort, ReasoningSummary } from "../protocol/schema/turn.ts";
import type { ConfigProblem, LoadedConfig, TomlTable, TomlValue } from "./types.ts";

/** Codex 0.105.0's model when no layer sets one. */
export const DEFAULT_MODEL = "gpt-5.2-codex";
export const DEFAULT_MODEL_PROVIDER = "openai";
export const DEFAULT_APPROVAL_POLICY: AskForApproval = "on-request";
export const DEFAULT_CHATGPT_BASE_URL = "https://chatgpt.com/backend-api/";

/** `[sandbox_workspace_write]` with defaults filled. */
export interface WorkspaceWriteSettings {
  writableRoots: string[];
  networkAccess: boolean;
  excludeTmpdirEnvVar: boolean;
  excludeSlashTmp: boolean;
}

/** The effective configuration. Raw tables are the merged TOML, already validated. */
export interface EffectiveConfig {
  model: string;
  reviewModel: string | null;
  modelProvider: string;
  /** `[model_providers.*]` as written (built-ins are not listed). */
  modelProviders: Record<string, TomlTable>;
  approvalPolicy: AskForApproval;
  sandboxMode: SandboxMode;
  sandboxWorkspaceWrite: WorkspaceWriteSettings;
  modelReasoningEffort: ReasoningEffort | null;
  modelReasoningSummary: ReasoningSummary | null;
  modelVerbosity: Verbosity | null;
  personality: Personality | null;
  webSearch: WebSearchMode | null;
  features: Record<string, boolean>;
  analyticsEnabled: boolean;
  projectRootMarkers: string[];
  /** The selected profile, when it exists. */
  profile: string | null;
  instructions: string | null;
  developerInstructions: string | null;
  chatgptBaseUrl: string;
  mcpServers: TomlTable;
  shellEnvironmentPolicy: TomlTable;
  /** How long an approval request may wait, in seconds; null waits forever. */
  approvalTimeoutSecs: number | null;
  /** `model_auto_compact_token_limit`: compact the context at this many tokens; null: never. */
  modelAutoCompactTokenLimit: number | null;
  /** `compact_prompt`: the summarisation prompt of compaction; null: ours. */
  compactPrompt: string | null;
  /** The merged TOML with the profile applied, for keys not typed here. */
  table: TomlTable;
}

/** Options of {@linkcode resolveEffective}. */
export interface ResolveOptions {
  /** `--analytics-default-enabled`; `[analytics] enabled` overrides it. */
  analyticsDefaultEnabled?: boolean;
  /** Whether the cwd's project is trusted (the default sandbox is then workspace-write). */
  cwdTrusted?: boolean;
  /** Who set each requirement, for the fallback messages. */
  requirementSources?: RequirementSources;
  /** MCP servers an administrator allows; others are left out with a problem. */
  mcpAllowList?: McpAllowList | null;
}

/**
 * Resolves the effective config. Problems are only those of applying requirements (a value
 * replaced by the first allowed one); problems of the load itself are in `loaded.problems`.
 */
export function resolveEffective(
  loaded: LoadedConfig,
  requirements: ConfigRequirements | null,
  opts: ResolveOptions = {},
): { config: EffectiveConfig; problems: ConfigProblem[] } {
  const profile = selectedProfile(loaded.merged);
  const t = profile ? mergeTables(loaded.merged, profile.table) : loaded.merged;
  const problems: ConfigProblem[] = [];
  const sources = opts.requirementSources ?? {};
  const enforce = <T>(
    key: string,
    value: T,
    allowed: readonly T[] | null | undefined,
    src?: string,
  ) => {
    const out = constrain(key, value, allowed ?? null, src ?? "requirements");
    if (out.problem) problems.push(out.problem);
    return out.value;
  };

  const provider = str(t["model_provider"]);
  const approval = AskForApproval.safeParse(plain(t["approval_policy"]));
  const sandbox = SandboxMode.safeParse(t["sandbox_mode"]);
  const webSearch = WebSearchMode.safeParse(t["web_search"]);
  const analytics = t["analytics"];
  const analyticsEnabled = isTomlTable(analytics) ? analytics["enabled"] : undefined;
  const timeout = t["approval_timeout_secs"];

  const config: EffectiveConfig = {
    model: str(t["model"]) ?? DEFAULT_MODEL,
    reviewModel: str(t["review_model"]),
    modelProvider: provider !== null && providerExists(t, provider)
      ? provider
      : DEFAULT_MODEL_PROVIDER,
    modelProviders: tablesOf(t["model_providers"]),
    approvalPolicy: enforce(
      "approval_policy",
      approval.success ? approval.data : DEFAULT_APPROVAL_POLICY,
      requirements?.allowedApprovalPolicies,
      sources.allowedApprovalPolicies,
    ),
    sandboxMode: enforce(
      "sandbox_mode",
      sandbox.success ? sandbox.data : opts.cwdTrusted ? "workspace-write" : "read-only",
      requirements?.allowedSandboxModes,
      sources.allowedSandboxModes,
    ),
    sandboxWorkspaceWrite: workspaceWrite(t["sandbox_workspace_write"]),
    modelReasoningEffort: pick(ReasoningEffort, t["model_reasoning_effort"]),
    modelReasoningSummary: pick(ReasoningSummary, t["model_reasoning_summary"]),
    modelVerbosity: pick(Verbosity, t["model_verbosity"]),
    personality: pick(Personality, t["personality"]),
    webSearch: webSearch.success
      ? enforce(
        "web_search",
        webSearch.data,
        requirements?.allowedWebSearchModes,
        sources.allowedWebSearchModes,
      )
      : null,
    features: booleansOf(t["features"]),
    analyticsEnabled: typeof analyticsEnabled === "boolean"
      ? analyticsEnabled
      : opts.analyticsDefaultEnabled ?? false,
    projectRootMarkers: stringsOf(t["project_root_markers"]) ?? [...DEFAULT_PROJECT_ROOT_MARKERS],
    profile: profile?.name ?? null,
    instructions: str(t["instructions"]),
    developerInstructions: str(t["developer_instructions"]),
    chatgptBaseUrl: str(t["chatgpt_base_url"]) ?? DEFAULT_CHATGPT_BASE_URL,
    mcpServers: allowedMcpServers(t["mcp_servers"], opts.mcpAllowList ?? null, problems),
    shellEnvironmentPolicy: isTomlTable(t["shell_environment_policy"])
      ? t["shell_environment_policy"]
      : {},
    approvalTimeoutSecs: typeof timeout === "number" || typeof timeout === "bigint"
      ? Number(timeout)
      : null,
    modelAutoCompactTokenLimit: typeof t["model_auto_compact_token_limit"] === "number" ||
        typeof t["model_auto_compact_token_limit"] === "bigint"
      ? Number(t["model_auto_compact_token_limit"])
      : null,
    compactPrompt: str(t["compact_prompt"]),
    table: t,
  };
  return { config, problems };
}

function str(v: TomlValue | undefined): string | null {
  return typeof v === "string" ? v : null;
}

function pick<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  v: TomlValue | undefined,
): T | null {
  const parsed = schema.safeParse(v);
  return parsed.success ? parsed.data : null;
}

function stringsOf(v: TomlValue | undefined): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? v as string[] : null;
}

function booleansOf(v: TomlValue | undefined): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  if (!isTomlTable(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === "boolean") out[k] = x;
  return out;
}

function tablesOf(v: TomlValue | undefined): Record<string, TomlTable> {
  const out: Record<string, TomlTable> = {};
  if (!isTomlTable(v)) return out;
  for (const [k, x] of Object.entries(v)) if (isTomlTable(x)) out[k] = x;
  return out;
}

function workspaceWrite(v: TomlValue | undefined): WorkspaceWriteSettings {
  const t = isTomlTable(v) ? v : {};
  return {
    writableRoots: stringsOf(t["writable_roots"]) ?? [],
    networkAccess: t["network_access"] === true,
    excludeTmpdirEnvVar: t["exclude_tmpdir_env_var"] === true,
    excludeSlashTmp: t["exclude_slash_tmp"] === true,
  };
}

/** TOML data as zod sees JSON: tables as plain objects. */
function plain(v: TomlValue | undefined): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (isTomlTable(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The configured MCP servers the allow-list admits; each refused one becomes a problem. */
function allowedMcpServers(
  value: TomlValue | undefined,
  allow: McpAllowList | null,
  problems: ConfigProblem[],
): TomlTable {
  const servers = isTomlTable(value) ? value : {};
  if (allow === null) return servers;
  const kept: TomlTable = {};
  for (const [name, server] of Object.entries(servers)) {
    const allowed = allow.servers[name];
    const command = isTomlTable(server) ? server["command"] : undefined;
    const url = isTomlTable(server) ? server["url"] : undefined;
    const matches = allowed !== undefined &&
      (allowed.command !== undefined ? command === allowed.command : url === allowed.url);
    if (matches) {
      kept[name] = server;
      continue;
    }
    const why = allowed === undefined
      ? "it is not in the allowed list"
      : `its ${allowed.command !== undefined ? "command" : "url"} does not match the allowed ${
        allowed.command !== undefined ? `command \`${allowed.command}\`` : `url \`${allowed.url}\``
      }`;
    problems.push({
      kind: "requirement",
      file: null,
      range: null,
      keyPath: `mcp_servers.${name}`,
      message:
        `MCP server \`${name}\` is disabled by requirements: ${why} (set by ${allow.source})`,
    });
  }
  return kept;
}
