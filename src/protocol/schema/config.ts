/**
 * Effective config, its layers and admin requirements (`config/read`, `configRequirements/read`).
 *
 * @module
 */

import { z } from "zod";
import { AbsolutePathBuf, int64, uint16 } from "./common.ts";
import { AskForApproval, SandboxMode, SandboxWorkspaceWrite } from "./sandbox.ts";
import { ReasoningEffort, ReasoningSummary } from "./turn.ts";

export const AnalyticsConfig = z.looseObject({
  enabled: z.boolean().nullish(),
}).meta({ id: "AnalyticsConfig" });
export type AnalyticsConfig = z.infer<typeof AnalyticsConfig>;

export const AppToolApproval = z.enum(["auto", "prompt", "approve"]).meta({
  id: "AppToolApproval",
});
export type AppToolApproval = z.infer<typeof AppToolApproval>;

export const AppToolConfig = z.object({
  approval_mode: AppToolApproval.nullish(),
  enabled: z.boolean().nullish(),
}).meta({ id: "AppToolConfig" });
export type AppToolConfig = z.infer<typeof AppToolConfig>;

/** Per-tool settings keyed by tool name (the reference schema shows only a bare object). */
export const AppToolsConfig = z.record(z.string(), AppToolConfig).meta({ id: "AppToolsConfig" });
export type AppToolsConfig = z.infer<typeof AppToolsConfig>;

export const AppConfig = z.object({
  default_tools_approval_mode: AppToolApproval.nullish(),
  default_tools_enabled: z.boolean().nullish(),
  destructive_enabled: z.boolean().nullish(),
  enabled: z.boolean().default(true),
  open_world_enabled: z.boolean().nullish(),
  tools: AppToolsConfig.nullish(),
}).meta({ id: "AppConfig" });
export type AppConfig = z.infer<typeof AppConfig>;

export const AppsDefaultConfig = z.object({
  destructive_enabled: z.boolean().default(true),
  enabled: z.boolean().default(true),
  open_world_enabled: z.boolean().default(true),
}).meta({ id: "AppsDefaultConfig" });
export type AppsDefaultConfig = z.infer<typeof AppsDefaultConfig>;

/**
 * `_default` plus per-app settings keyed by app id; the reference flattens the map away, so
 * `AppConfig` was unreachable there. Experimental as a whole (`Config.apps`).
 */
export const AppsConfig = z.object({
  _default: AppsDefaultConfig.nullable().default(null),
}).catchall(AppConfig).meta({ id: "AppsConfig" });
export type AppsConfig = z.infer<typeof AppsConfig>;

export const ForcedLoginMethod = z.enum(["chatgpt", "api"]).meta({ id: "ForcedLoginMethod" });
export type ForcedLoginMethod = z.infer<typeof ForcedLoginMethod>;

export const Verbosity = z.enum(["low", "medium", "high"]).meta({ id: "Verbosity" });
export type Verbosity = z.infer<typeof Verbosity>;

export const WebSearchMode = z.enum(["disabled", "cached", "live"]).meta({ id: "WebSearchMode" });
export type WebSearchMode = z.infer<typeof WebSearchMode>;

export const ProfileV2 = z.looseObject({
  approval_policy: AskForApproval.nullish(),
  chatgpt_base_url: z.string().nullish(),
  model: z.string().nullish(),
  model_provider: z.string().nullish(),
  model_reasoning_effort: ReasoningEffort.nullish(),
  model_reasoning_summary: ReasoningSummary.nullish(),
  model_verbosity: Verbosity.nullish(),
  web_search: WebSearchMode.nullish(),
}).meta({ id: "ProfileV2" });
export type ProfileV2 = z.infer<typeof ProfileV2>;

export const ToolsV2 = z.object({
  view_image: z.boolean().nullish(),
  web_search: z.boolean().nullish(),
}).meta({ id: "ToolsV2" });
export type ToolsV2 = z.infer<typeof ToolsV2>;

export const Config = z.looseObject({
  analytics: AnalyticsConfig.nullish(),
  approval_policy: AskForApproval.nullish(),
  apps: AppsConfig.nullable().default(null).meta({ experimental: true }),
  compact_prompt: z.string().nullish(),
  developer_instructions: z.string().nullish(),
  forced_chatgpt_workspace_id: z.string().nullish(),
  forced_login_method: ForcedLoginMethod.nullish(),
  instructions: z.string().nullish(),
  model: z.string().nullish(),
  model_auto_compact_token_limit: int64().nullish(),
  model_context_window: int64().nullish(),
  model_provider: z.string().nullish(),
  model_reasoning_effort: ReasoningEffort.nullish(),
  model_reasoning_summary: ReasoningSummary.nullish(),
  model_verbosity: Verbosity.nullish(),
  profile: z.string().nullish(),
  profiles: z.record(z.string(), ProfileV2).default({}),
  review_model: z.string().nullish(),
  sandbox_mode: SandboxMode.nullish(),
  sandbox_workspace_write: SandboxWorkspaceWrite.nullish(),
  tools: ToolsV2.nullish(),
  web_search: WebSearchMode.nullish(),
}).meta({ id: "Config" });
export type Config = z.infer<typeof Config>;

export const ConfigLayerSource = z.discriminatedUnion("type", [
  z.object({
    domain: z.string(),
    key: z.string(),
    type: z.literal("mdm"),
  }),
  z.object({
    file: AbsolutePathBuf,
    type: z.literal("system"),
  }),
  z.object({
    file: AbsolutePathBuf,
    type: z.literal("user"),
  }),
  z.object({
    dotCodexFolder: AbsolutePathBuf,
    type: z.literal("project"),
  }),
  z.object({
    type: z.literal("sessionFlags"),
  }),
  z.object({
    file: AbsolutePathBuf,
    type: z.literal("legacyManagedConfigTomlFromFile"),
  }),
  z.object({
    type: z.literal("legacyManagedConfigTomlFromMdm"),
  }),
]).meta({ id: "ConfigLayerSource" });
export type ConfigLayerSource = z.infer<typeof ConfigLayerSource>;

export const ConfigLayer = z.object({
  config: z.unknown(),
  disabledReason: z.string().nullish(),
  name: ConfigLayerSource,
  version: z.string(),
}).meta({ id: "ConfigLayer" });
export type ConfigLayer = z.infer<typeof ConfigLayer>;

export const ConfigLayerMetadata = z.object({
  name: ConfigLayerSource,
  version: z.string(),
}).meta({ id: "ConfigLayerMetadata" });
export type ConfigLayerMetadata = z.infer<typeof ConfigLayerMetadata>;

export const ConfigReadParams = z.object({
  cwd: z.string().nullish(),
  includeLayers: z.boolean().default(false),
}).meta({ id: "ConfigReadParams" });
export type ConfigReadParams = z.infer<typeof ConfigReadParams>;

export const ConfigReadResponse = z.object({
  config: Config,
  layers: z.array(ConfigLayer).nullish(),
  origins: z.record(z.string(), ConfigLayerMetadata),
}).meta({ id: "ConfigReadResponse" });
export type ConfigReadResponse = z.infer<typeof ConfigReadResponse>;

export const NetworkRequirements = z.object({
  allowLocalBinding: z.boolean().nullish(),
  allowUnixSockets: z.array(z.string()).nullish(),
  allowUpstreamProxy: z.boolean().nullish(),
  allowedDomains: z.array(z.string()).nullish(),
  dangerouslyAllowAllUnixSockets: z.boolean().nullish(),
  dangerouslyAllowNonLoopbackAdmin: z.boolean().nullish(),
  dangerouslyAllowNonLoopbackProxy: z.boolean().nullish(),
  deniedDomains: z.array(z.string()).nullish(),
  enabled: z.boolean().nullish(),
  httpPort: uint16().nullish(),
  socksPort: uint16().nullish(),
}).meta({ id: "NetworkRequirements" });
export type NetworkRequirements = z.infer<typeof NetworkRequirements>;

export const ResidencyRequirement = z.literal("us").meta({ id: "ResidencyRequirement" });
export type ResidencyRequirement = z.infer<typeof ResidencyRequirement>;

export const ConfigRequirements = z.object({
  allowedApprovalPolicies: z.array(AskForApproval).nullish(),
  allowedSandboxModes: z.array(SandboxMode).nullish(),
  allowedWebSearchModes: z.array(WebSearchMode).nullish(),
  enforceResidency: ResidencyRequirement.nullish(),
  network: NetworkRequirements.nullish().meta({ experimental: true }),
}).meta({ id: "ConfigRequirements" });
export type ConfigRequirements = z.infer<typeof ConfigRequirements>;

export const ConfigRequirementsReadResponse = z.object({
  requirements: ConfigRequirements.nullish(),
}).meta({ id: "ConfigRequirementsReadResponse" });
export type ConfigRequirementsReadResponse = z.infer<typeof ConfigRequirementsReadResponse>;
