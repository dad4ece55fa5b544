/**
 * The method table: for every client request, server notification and server request, the
 * schemas of its params and result, and whether it sits behind the `experimentalApi`
 * capability. Handlers, the dispatcher and the schema exports all read from here, so a method
 * is declared exactly once.
 *
 * @module
 */

import type { z } from "zod";
import * as s from "./schema/mod.ts";

/** An experimental field of a stable method, reported by name when a client uses it. */
export interface ExperimentalGate {
  /** Text used in the error, e.g. `thread/start.dynamicTools`. */
  descriptor: string;
  /** True when the (already decoded) params carry a non-default value for the field. */
  isUsed(params: Record<string, unknown>): boolean;
}

/** How one client → server request is shaped and gated. */
export interface ClientRequestSpec {
  /** `null` for methods that take no params at all (a missing `params` is then fine). */
  params: z.ZodType | null;
  result: z.ZodType;
  /** The whole method needs `experimentalApi`. */
  experimental: boolean;
  /** Experimental fields, in the order the reference checks them. */
  gates: readonly ExperimentalGate[];
}

/** How one server → client request is shaped. */
export interface ServerRequestSpec {
  params: z.ZodType;
  result: z.ZodType;
}

interface RequestOptions {
  experimental?: boolean;
  gates?: readonly ExperimentalGate[];
}

function request<P extends z.ZodType | null, R extends z.ZodType>(
  params: P,
  result: R,
  opts: RequestOptions = {},
): { params: P; result: R; experimental: boolean; gates: readonly ExperimentalGate[] } {
  return { params, result, experimental: opts.experimental ?? false, gates: opts.gates ?? [] };
}

function serverRequest<P extends z.ZodType, R extends z.ZodType>(
  params: P,
  result: R,
): { params: P; result: R } {
  return { params, result };
}

/**
 * The reference treats a field as "in use" only when it differs from its default: absent,
 * `null`, `false` and `[]` all pass; anything else (even `""` or `{}`) trips the gate.
 */
export function isNonDefault(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (Array.isArray(value) && value.length === 0) return false;
  return true;
}

/** A gate on `field`; `label` is the name the error uses when it differs from the wire name. */
function fieldGate(method: string, field: string, label: string = field): ExperimentalGate {
  return {
    descriptor: `${method}.${label}`,
    isUsed: (params) => Object.hasOwn(params, field) && isNonDefault(params[field]),
  };
}

/** Login with externally managed ChatGPT tokens is an experimental variant, not a field. */
const chatgptAuthTokensGate: ExperimentalGate = {
  descriptor: "account/login/start.chatgptAuthTokens",
  isUsed: (params) => params["type"] === "chatgptAuthTokens",
};

// The reference reports the wire field `persistExtendedHistory` as `persistFullHistory`.
const PERSIST = ["persistExtendedHistory", "persistFullHistory"] as const;

/** Every v2 client → server request of 0.105, in the reference's order. */
export const clientRequests = {
  "initialize": request(s.InitializeParams, s.InitializeResponse),
  "thread/start": request(s.ThreadStartParams, s.ThreadStartResponse, {
    gates: [
      fieldGate("thread/start", "dynamicTools"),
      fieldGate("thread/start", "mockExperimentalField"),
      fieldGate("thread/start", "experimentalRawEvents"),
      fieldGate("thread/start", ...PERSIST),
    ],
  }),
  "thread/resume": request(s.ThreadResumeParams, s.ThreadResumeResponse, {
    gates: [
      fieldGate("thread/resume", "history"),
      fieldGate("thread/resume", "path"),
      fieldGate("thread/resume", ...PERSIST),
    ],
  }),
  "thread/fork": request(s.ThreadForkParams, s.ThreadForkResponse, {
    gates: [fieldGate("thread/fork", "path"), fieldGate("thread/fork", ...PERSIST)],
  }),
  "thread/archive": request(s.ThreadArchiveParams, s.ThreadArchiveResponse),
  // Added by later Codex versions (0.169 shapes); 0.105 clients never send it.
  "thread/unsubscribe": request(s.ThreadUnsubscribeParams, s.ThreadUnsubscribeResponse),
  // Added by later Codex versions (0.169 shapes); the 0.169 TUI calls it when it opens.
  "thread/turns/list": request(s.ThreadTurnsListParams, s.ThreadTurnsListResponse),
  "thread/name/set": request(s.ThreadSetNameParams, s.ThreadSetNameResponse),
  "thread/unarchive": request(s.ThreadUnarchiveParams, s.ThreadUnarchiveResponse),
  "thread/compact/start": request(s.ThreadCompactStartParams, s.ThreadCompactStartResponse),
  "thread/backgroundTerminals/clean": request(
    s.ThreadBackgroundTerminalsCleanParams,
    s.ThreadBackgroundTerminalsCleanResponse,
    { experimental: true },
  ),
  "thread/rollback": request(s.ThreadRollbackParams, s.ThreadRollbackResponse),
  "thread/list": request(s.ThreadListParams, s.ThreadListResponse),
  "thread/loaded/list": request(s.ThreadLoadedListParams, s.ThreadLoadedListResponse),
  "thread/read": request(s.ThreadReadParams, s.ThreadReadResponse),
  "skills/list": request(s.SkillsListParams, s.SkillsListResponse),
  "skills/remote/list": request(s.SkillsRemoteReadParams, s.SkillsRemoteReadResponse),
  "skills/remote/export": request(s.SkillsRemoteWriteParams, s.SkillsRemoteWriteResponse),
  "app/list": request(s.AppsListParams, s.AppsListResponse),
  "skills/config/write": request(s.SkillsConfigWriteParams, s.SkillsConfigWriteResponse),
  "turn/start": request(s.TurnStartParams, s.TurnStartResponse, {
    gates: [fieldGate("turn/start", "collaborationMode")],
  }),
  "turn/steer": request(s.TurnSteerParams, s.TurnSteerResponse),
  "turn/interrupt": request(s.TurnInterruptParams, s.TurnInterruptResponse),
  "review/start": request(s.ReviewStartParams, s.ReviewStartResponse),
  "model/list": request(s.ModelListParams, s.ModelListResponse),
  "experimentalFeature/list": request(
    s.ExperimentalFeatureListParams,
    s.ExperimentalFeatureListResponse,
  ),
  "collaborationMode/list": request(
    s.CollaborationModeListParams,
    s.CollaborationModeListResponse,
    { experimental: true },
  ),
  "mock/experimentalMethod": request(
    s.MockExperimentalMethodParams,
    s.MockExperimentalMethodResponse,
    { experimental: true },
  ),
  "mcpServer/oauth/login": request(s.McpServerOauthLoginParams, s.McpServerOauthLoginResponse),
  "config/mcpServer/reload": request(null, s.McpServerRefreshResponse),
  "mcpServerStatus/list": request(s.ListMcpServerStatusParams, s.ListMcpServerStatusResponse),
  "windowsSandbox/setupStart": request(
    s.WindowsSandboxSetupStartParams,
    s.WindowsSandboxSetupStartResponse,
  ),
  "account/login/start": request(s.LoginAccountParams, s.LoginAccountResponse, {
    gates: [chatgptAuthTokensGate],
  }),
  "account/login/cancel": request(s.CancelLoginAccountParams, s.CancelLoginAccountResponse),
  "account/logout": request(null, s.LogoutAccountResponse),
  "account/rateLimits/read": request(null, s.GetAccountRateLimitsResponse),
  "feedback/upload": request(s.FeedbackUploadParams, s.FeedbackUploadResponse),
  "command/exec": request(s.CommandExecParams, s.CommandExecResponse),
  "config/read": request(s.ConfigReadParams, s.ConfigReadResponse),
  "externalAgentConfig/detect": request(
    s.ExternalAgentConfigDetectParams,
    s.ExternalAgentConfigDetectResponse,
  ),
  "externalAgentConfig/import": request(
    s.ExternalAgentConfigImportParams,
    s.ExternalAgentConfigImportResponse,
  ),
  "config/value/write": request(s.ConfigValueWriteParams, s.ConfigWriteResponse),
  "config/batchWrite": request(s.ConfigBatchWriteParams, s.ConfigWriteResponse),
  "configRequirements/read": request(null, s.ConfigRequirementsReadResponse),
  "account/read": request(s.GetAccountParams, s.GetAccountResponse),
  "fuzzyFileSearch": request(s.FuzzyFileSearchParams, s.FuzzyFileSearchResponse),
  "fuzzyFileSearch/sessionStart": request(
    s.FuzzyFileSearchSessionStartParams,
    s.FuzzyFileSearchSessionStartResponse,
    { experimental: true },
  ),
  "fuzzyFileSearch/sessionUpdate": request(
    s.FuzzyFileSearchSessionUpdateParams,
    s.FuzzyFileSearchSessionUpdateResponse,
    { experimental: true },
  ),
  "fuzzyFileSearch/sessionStop": request(
    s.FuzzyFileSearchSessionStopParams,
    s.FuzzyFileSearchSessionStopResponse,
    { experimental: true },
  ),
} as const satisfies Record<string, ClientRequestSpec>;

/** Name of a client → server request method. */
export type ClientRequestMethod = keyof typeof clientRequests;
/** Decoded params of `M` (defaults applied); `undefined` for methods without params. */
export type ParamsOf<M extends ClientRequestMethod> = (typeof clientRequests)[M]["params"] extends
  infer P extends z.ZodType ? z.output<P> : undefined;
/** Result a handler of `M` returns (every defaulted field present). */
export type ResultOf<M extends ClientRequestMethod> = z.output<
  (typeof clientRequests)[M]["result"]
>;

/** Every v2 server → client notification of 0.105 (plus later ones we send) with its params. */
export const serverNotifications = {
  "error": s.ErrorNotification,
  "thread/started": s.ThreadStartedNotification,
  "thread/status/changed": s.ThreadStatusChangedNotification,
  "thread/archived": s.ThreadArchivedNotification,
  "thread/unarchived": s.ThreadUnarchivedNotification,
  "thread/name/updated": s.ThreadNameUpdatedNotification,
  "thread/tokenUsage/updated": s.ThreadTokenUsageUpdatedNotification,
  "turn/started": s.TurnStartedNotification,
  "turn/completed": s.TurnCompletedNotification,
  "turn/diff/updated": s.TurnDiffUpdatedNotification,
  "turn/plan/updated": s.TurnPlanUpdatedNotification,
  "item/started": s.ItemStartedNotification,
  "item/completed": s.ItemCompletedNotification,
  "item/agentMessage/delta": s.AgentMessageDeltaNotification,
  "item/plan/delta": s.PlanDeltaNotification,
  "item/commandExecution/outputDelta": s.CommandExecutionOutputDeltaNotification,
  "item/commandExecution/terminalInteraction": s.TerminalInteractionNotification,
  "item/fileChange/outputDelta": s.FileChangeOutputDeltaNotification,
  "item/mcpToolCall/progress": s.McpToolCallProgressNotification,
  "mcpServer/oauthLogin/completed": s.McpServerOauthLoginCompletedNotification,
  "account/updated": s.AccountUpdatedNotification,
  "account/rateLimits/updated": s.AccountRateLimitsUpdatedNotification,
  "app/list/updated": s.AppListUpdatedNotification,
  "item/reasoning/summaryTextDelta": s.ReasoningSummaryTextDeltaNotification,
  "item/reasoning/summaryPartAdded": s.ReasoningSummaryPartAddedNotification,
  "item/reasoning/textDelta": s.ReasoningTextDeltaNotification,
  "thread/compacted": s.ContextCompactedNotification,
  "model/rerouted": s.ModelReroutedNotification,
  "deprecationNotice": s.DeprecationNoticeNotification,
  "configWarning": s.ConfigWarningNotification,
  "fuzzyFileSearch/sessionUpdated": s.FuzzyFileSearchSessionUpdatedNotification,
  "fuzzyFileSearch/sessionCompleted": s.FuzzyFileSearchSessionCompletedNotification,
  "windows/worldWritableWarning": s.WindowsWorldWritableWarningNotification,
  "windowsSandbox/setupCompleted": s.WindowsSandboxSetupCompletedNotification,
  "account/login/completed": s.AccountLoginCompletedNotification,
  // Added by later Codex versions (0.169 shape); sent only to experimental-API connections.
  "thread/closed": s.ThreadClosedNotification,
  "serverRequest/resolved": s.ServerRequestResolvedNotification,
} as const satisfies Record<string, z.ZodType>;

/** Name of a server → client notification method. */
export type ServerNotificationMethod = keyof typeof serverNotifications;
/** Params of notification `M` as the server builds them. */
export type NotificationParamsOf<M extends ServerNotificationMethod> = z.output<
  (typeof serverNotifications)[M]
>;

/** The v2 server → client requests of 0.105 (the legacy v1 approvals are left out). */
export const serverRequests = {
  "item/commandExecution/requestApproval": serverRequest(
    s.CommandExecutionRequestApprovalParams,
    s.CommandExecutionRequestApprovalResponse,
  ),
  "item/fileChange/requestApproval": serverRequest(
    s.FileChangeRequestApprovalParams,
    s.FileChangeRequestApprovalResponse,
  ),
  "item/tool/requestUserInput": serverRequest(
    s.ToolRequestUserInputParams,
    s.ToolRequestUserInputResponse,
  ),
  "skill/requestApproval": serverRequest(
    s.SkillRequestApprovalParams,
    s.SkillRequestApprovalResponse,
  ),
  "item/tool/call": serverRequest(s.DynamicToolCallParams, s.DynamicToolCallResponse),
  "account/chatgptAuthTokens/refresh": serverRequest(
    s.ChatgptAuthTokensRefreshParams,
    s.ChatgptAuthTokensRefreshResponse,
  ),
} as const satisfies Record<string, ServerRequestSpec>;

/** Name of a server → client request method. */
export type ServerRequestMethod = keyof typeof serverRequests;
/** Params the server sends with request `M`. */
export type ServerRequestParamsOf<M extends ServerRequestMethod> = z.output<
  (typeof serverRequests)[M]["params"]
>;
/** Decoded answer of the client to request `M`. */
export type ServerRequestResultOf<M extends ServerRequestMethod> = z.output<
  (typeof serverRequests)[M]["result"]
>;

/**
 * Returns the descriptor of the first experimental method/field in use, e.g.
 * `"mock/experimentalMethod"` or `"thread/start.dynamicTools"`, or null. The method gate wins
 * over field gates. Call it after the params decoded: the reference reports decode errors
 * before any gate.
 */
export function experimentalUse(method: string, params: unknown): string | null {
  if (!Object.hasOwn(clientRequests, method)) return null;
  const spec: ClientRequestSpec = clientRequests[method as ClientRequestMethod];
  if (spec.experimental) return method;
  const record = isRecord(params) ? params : {};
  for (const gate of spec.gates) {
    if (gate.isUsed(record)) return gate.descriptor;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
