/**
 * The settings a thread runs with, resolved once for `thread/start`, `thread/resume` and
 * `thread/fork`: request overrides first, then what a stored thread last ran with, then the
 * effective config (read fresh from disk for the thread's cwd, with the request's `config`
 * map as its session layer, as the reference does per thread).
 *
 * @module
 */

import { internalError, invalidRequest } from "../../jsonrpc/errors.ts";
import { resolveEffective, type WorkspaceWriteSettings } from "../../config/effective.ts";
import { ProviderConfigError, resolveProvider } from "../../core/model/provider.ts";
import { BASE_INSTRUCTIONS } from "../../core/threads/thread_manager.ts";
import type { ThreadSettings } from "../../core/threads/thread.ts";
import { AskForApproval, SandboxMode } from "../../protocol/schema/sandbox.ts";
import type { SandboxPolicy } from "../../protocol/schema/sandbox.ts";
import type { Personality } from "../../protocol/schema/turn.ts";
import type { DynamicToolSpec } from "../../protocol/schema/thread_methods.ts";
import { shellEnvironmentPolicyFrom } from "../../core/exec/exec_env.ts";
import type { ServerContext } from "../context.ts";

/** The overrides `thread/start`, `thread/resume` and `thread/fork` share. */
export interface ThreadOverrides {
  model?: string | null;
  modelProvider?: string | null;
  cwd?: string | null;
  approvalPolicy?: AskForApproval | null;
  sandbox?: SandboxMode | null;
  config?: Record<string, unknown> | null;
  baseInstructions?: string | null;
  developerInstructions?: string | null;
  personality?: Personality | null;
  ephemeral?: boolean | null;
  /** `thread/start` only; validated by the caller. */
  dynamicTools?: DynamicToolSpec[] | null;
}

/** What a stored thread contributes: its session meta and its last `turn_context`. */
export interface StoredSettings {
  cwd?: string | null;
  modelProvider?: string | null;
  baseInstructions?: string | null;
  turnContext?: Record<string, unknown> | null;
  /** `session_meta.dynamic_tools`: the client tools declared when the thread started. */
  dynamicTools?: unknown[] | null;
}

/** Stored dynamic tools; Codex writes `input_schema`, we accept both spellings. */
function storedDynamicTools(raw: unknown[] | null | undefined): DynamicToolSpec[] {
  return (raw ?? []).flatMap((t) => {
    const o = t as Record<string, unknown> | null;
    if (!o || typeof o.name !== "string") return [];
    return [{
      name: o.name,
      description: typeof o.description === "string" ? o.description : "",
      inputSchema: o.inputSchema ?? o.input_schema ?? { type: "object" },
    }];
  });
}

function tableOf(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

/** The user's shell name for the environment context (`$SHELL`'s last segment, else bash). */
function userShell(): string {
  return Deno.env.get("SHELL")?.split("/").pop() || "bash";
}

/** The wire policy of a sandbox mode, with the `[sandbox_workspace_write]` settings. */
export function wirePolicy(mode: SandboxMode, ww: WorkspaceWriteSettings): SandboxPolicy {
  switch (mode) {
    case "read-only":
      return { type: "readOnly", access: { type: "fullAccess" } };
    case "workspace-write":
      return {
        type: "workspaceWrite",
        writableRoots: ww.writableRoots,
        readOnlyAccess: { type: "fullAccess" },
        networkAccess: ww.networkAccess,
        excludeTmpdirEnvVar: ww.excludeTmpdirEnvVar,
        excludeSlashTmp: ww.excludeSlashTmp,
      };
    case "danger-full-access":
      return { type: "dangerFullAccess" };
  }
}

/**
 * The settings of a full wire `SandboxPolicy` (`turn/start` `sandboxPolicy`). An external
 * sandbox means the client contains the process itself, so nothing is added here.
 */
export function settingsOfPolicy(
  policy: SandboxPolicy,
): Pick<ThreadSettings, "sandboxMode" | "sandboxPolicy" | "diskSandboxPolicy"> {
  switch (policy.type) {
    case "readOnly":
      return {
        sandboxMode: "read-only",
        sandboxPolicy: policy,
        diskSandboxPolicy: { type: "read-only" },
      };
    case "workspaceWrite":
      return {
        sandboxMode: "workspace-write",
        sandboxPolicy: policy,
        diskSandboxPolicy: {
          type: "workspace-write",
          writable_roots: policy.writableRoots,
          network_access: policy.networkAccess,
          exclude_tmpdir_env_var: policy.excludeTmpdirEnvVar,
          exclude_slash_tmp: policy.excludeSlashTmp,
        },
      };
    case "dangerFullAccess":
      return {
        sandboxMode: "danger-full-access",
        sandboxPolicy: policy,
        diskSandboxPolicy: { type: "danger-full-access" },
      };
    case "externalSandbox":
      return {
        sandboxMode: "danger-full-access",
        sandboxPolicy: policy,
        diskSandboxPolicy: { type: "external-sandbox", network_access: policy.networkAccess },
      };
  }
}

/** Resolves a thread's settings; request errors (unknown provider) become `-32600`. */
export async function resolveThreadSettings(
  server: ServerContext,
  params: ThreadOverrides,
  stored: StoredSettings = {},
): Promise<ThreadSettings> {
  const config = server.config;
  if (!config) throw internalError("configuration is not loaded in this server");
  const tc = stored.turnContext ?? {};
  const cwd = params.cwd ?? stored.cwd ?? Deno.cwd();
  const loaded = await config.read(cwd, params.config ?? null);
  const effective = resolveEffective(loaded, config.requirements).config;
  const model = params.model ?? (typeof tc.model === "string" ? tc.model : effective.model);
  const providerId = params.modelProvider ?? stored.modelProvider ?? effective.modelProvider;
  let provider;
  try {
    provider = resolveProvider(effective.modelProviders, providerId);
  } catch (error) {
    if (error instanceof ProviderConfigError) throw invalidRequest(error.message);
    throw error;
  }
  const storedApproval = AskForApproval.safeParse(tc.approval_policy);
  const approvalPolicy = params.approvalPolicy ??
    (storedApproval.success ? storedApproval.data : effective.approvalPolicy);
  const storedMode = SandboxMode.safeParse((tc.sandbox_policy as { type?: unknown })?.type);
  const sandboxMode = params.sandbox ??
    (storedMode.success ? storedMode.data : effective.sandboxMode);
  const num = (key: string) => {
    const v = effective.table[key];
    return typeof v === "number" || typeof v === "bigint" ? Number(v) : undefined;
  };
  const fallbacks = effective.table["project_doc_fallback_filenames"];
  return {
    model,
    provider,
    cwd,
    approvalPolicy,
    ...settingsOfPolicy(wirePolicy(sandboxMode, effective.sandboxWorkspaceWrite)),
    baseInstructions: params.baseInstructions ?? stored.baseInstructions ??
      effective.instructions ?? BASE_INSTRUCTIONS,
    shell: userShell(),
    reasoningEffort: effective.modelReasoningEffort,
    reasoningSummary: effective.modelReasoningSummary,
    verbosity: effective.modelVerbosity,
    personality: params.personality ?? effective.personality,
    developerInstructions: params.developerInstructions ?? effective.developerInstructions,
    projectDocs: {
      codexHome: server.codexHome,
      rootMarkers: effective.projectRootMarkers,
      maxBytes: num("project_doc_max_bytes"),
      fallbackNames: Array.isArray(fallbacks)
        ? fallbacks.filter((f): f is string => typeof f === "string")
        : [],
    },
    ephemeral: params.ephemeral ?? false,
    autoCompactTokenLimit: effective.modelAutoCompactTokenLimit,
    configuredContextWindow: num("model_context_window") ?? null,
    compactPrompt: effective.compactPrompt,
    approvalTimeoutMs: effective.approvalTimeoutSecs ? effective.approvalTimeoutSecs * 1000 : null,
    shellEnvironmentPolicy: shellEnvironmentPolicyFrom(effective.shellEnvironmentPolicy),
    dynamicTools: params.dynamicTools ?? storedDynamicTools(stored.dynamicTools),
    unifiedExec: effective.features["unified_exec"] !== false,
    freeformApplyPatch: effective.features["apply_patch_freeform"] !== false,
    viewImage: tableOf(effective.table["tools"])["view_image"] !== false,
  };
}
