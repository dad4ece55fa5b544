/**
 * Params of every server → client notification of the v2 protocol.
 *
 * @module
 */

import { z } from "zod";
import { AuthMode, RateLimitSnapshot } from "./account.ts";
import { AppInfo } from "./apps.ts";
import { int64, uint } from "./common.ts";
import { ThreadItem } from "./items.ts";
import { FuzzyFileSearchResult, WindowsSandboxSetupMode } from "./misc.ts";
import { ResponseItem } from "./response_item.ts";
import { Thread, ThreadStatus, Turn, TurnError } from "./thread.ts";

export const AccountLoginCompletedNotification = z.object({
  error: z.string().nullish(),
  loginId: z.string().nullish(),
  success: z.boolean(),
}).meta({ id: "AccountLoginCompletedNotification" });
export type AccountLoginCompletedNotification = z.infer<typeof AccountLoginCompletedNotification>;

export const AccountRateLimitsUpdatedNotification = z.object({
  rateLimits: RateLimitSnapshot,
}).meta({ id: "AccountRateLimitsUpdatedNotification" });
export type AccountRateLimitsUpdatedNotification = z.infer<
  typeof AccountRateLimitsUpdatedNotification
>;

export const AccountUpdatedNotification = z.object({
  authMode: AuthMode.nullish(),
}).meta({ id: "AccountUpdatedNotification" });
export type AccountUpdatedNotification = z.infer<typeof AccountUpdatedNotification>;

export const AgentMessageDeltaNotification = z.object({
  delta: z.string(),
  itemId: z.string(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "AgentMessageDeltaNotification" });
export type AgentMessageDeltaNotification = z.infer<typeof AgentMessageDeltaNotification>;

export const AppListUpdatedNotification = z.object({
  data: z.array(AppInfo),
}).meta({ id: "AppListUpdatedNotification" });
export type AppListUpdatedNotification = z.infer<typeof AppListUpdatedNotification>;

export const CommandExecutionOutputDeltaNotification = z.object({
  delta: z.string(),
  itemId: z.string(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "CommandExecutionOutputDeltaNotification" });
export type CommandExecutionOutputDeltaNotification = z.infer<
  typeof CommandExecutionOutputDeltaNotification
>;

export const TextPosition = z.object({
  column: uint(),
  line: uint(),
}).meta({ id: "TextPosition" });
export type TextPosition = z.infer<typeof TextPosition>;

export const TextRange = z.object({
  end: TextPosition,
  start: TextPosition,
}).meta({ id: "TextRange" });
export type TextRange = z.infer<typeof TextRange>;

export const ConfigWarningNotification = z.object({
  details: z.string().nullish(),
  path: z.string().nullish(),
  range: TextRange.nullish(),
  summary: z.string(),
}).meta({ id: "ConfigWarningNotification" });
export type ConfigWarningNotification = z.infer<typeof ConfigWarningNotification>;

export const ContextCompactedNotification = z.object({
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "ContextCompactedNotification" });
export type ContextCompactedNotification = z.infer<typeof ContextCompactedNotification>;

export const DeprecationNoticeNotification = z.object({
  details: z.string().nullish(),
  summary: z.string(),
}).meta({ id: "DeprecationNoticeNotification" });
export type DeprecationNoticeNotification = z.infer<typeof DeprecationNoticeNotification>;

export const ErrorNotification = z.object({
  error: TurnError,
  threadId: z.string(),
  turnId: z.string(),
  willRetry: z.boolean(),
}).meta({ id: "ErrorNotification" });
export type ErrorNotification = z.infer<typeof ErrorNotification>;

export const FileChangeOutputDeltaNotification = z.object({
  delta: z.string(),
  itemId: z.string(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "FileChangeOutputDeltaNotification" });
export type FileChangeOutputDeltaNotification = z.infer<typeof FileChangeOutputDeltaNotification>;

export const FuzzyFileSearchSessionCompletedNotification = z.object({
  sessionId: z.string(),
}).meta({ id: "FuzzyFileSearchSessionCompletedNotification" });
export type FuzzyFileSearchSessionCompletedNotification = z.infer<
  typeof FuzzyFileSearchSessionCompletedNotification
>;

export const FuzzyFileSearchSessionUpdatedNotification = z.object({
  files: z.array(FuzzyFileSearchResult),
  query: z.string(),
  sessionId: z.string(),
}).meta({ id: "FuzzyFileSearchSessionUpdatedNotification" });
export type FuzzyFileSearchSessionUpdatedNotification = z.infer<
  typeof FuzzyFileSearchSessionUpdatedNotification
>;

export const ItemCompletedNotification = z.object({
  item: ThreadItem,
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "ItemCompletedNotification" });
export type ItemCompletedNotification = z.infer<typeof ItemCompletedNotification>;

export const ItemStartedNotification = z.object({
  item: ThreadItem,
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "ItemStartedNotification" });
export type ItemStartedNotification = z.infer<typeof ItemStartedNotification>;

export const McpServerOauthLoginCompletedNotification = z.object({
  error: z.string().nullish(),
  name: z.string(),
  success: z.boolean(),
}).meta({ id: "McpServerOauthLoginCompletedNotification" });
export type McpServerOauthLoginCompletedNotification = z.infer<
  typeof McpServerOauthLoginCompletedNotification
>;

export const McpToolCallProgressNotification = z.object({
  itemId: z.string(),
  message: z.string(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "McpToolCallProgressNotification" });
export type McpToolCallProgressNotification = z.infer<typeof McpToolCallProgressNotification>;

export const ModelRerouteReason = z.literal("highRiskCyberActivity").meta({
  id: "ModelRerouteReason",
});
export type ModelRerouteReason = z.infer<typeof ModelRerouteReason>;

export const ModelReroutedNotification = z.object({
  fromModel: z.string(),
  reason: ModelRerouteReason,
  threadId: z.string(),
  toModel: z.string(),
  turnId: z.string(),
}).meta({ id: "ModelReroutedNotification" });
export type ModelReroutedNotification = z.infer<typeof ModelReroutedNotification>;

export const PlanDeltaNotification = z.object({
  delta: z.string(),
  itemId: z.string(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "PlanDeltaNotification" });
export type PlanDeltaNotification = z.infer<typeof PlanDeltaNotification>;

export const RawResponseItemCompletedNotification = z.object({
  item: ResponseItem,
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "RawResponseItemCompletedNotification" });
export type RawResponseItemCompletedNotification = z.infer<
  typeof RawResponseItemCompletedNotification
>;

export const ReasoningSummaryPartAddedNotification = z.object({
  itemId: z.string(),
  summaryIndex: int64(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "ReasoningSummaryPartAddedNotification" });
export type ReasoningSummaryPartAddedNotification = z.infer<
  typeof ReasoningSummaryPartAddedNotification
>;

export const ReasoningSummaryTextDeltaNotification = z.object({
  delta: z.string(),
  itemId: z.string(),
  summaryIndex: int64(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "ReasoningSummaryTextDeltaNotification" });
export type ReasoningSummaryTextDeltaNotification = z.infer<
  typeof ReasoningSummaryTextDeltaNotification
>;

export const ReasoningTextDeltaNotification = z.object({
  contentIndex: int64(),
  delta: z.string(),
  itemId: z.string(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "ReasoningTextDeltaNotification" });
export type ReasoningTextDeltaNotification = z.infer<typeof ReasoningTextDeltaNotification>;

export const TerminalInteractionNotification = z.object({
  itemId: z.string(),
  processId: z.string(),
  stdin: z.string(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "TerminalInteractionNotification" });
export type TerminalInteractionNotification = z.infer<typeof TerminalInteractionNotification>;

export const ThreadArchivedNotification = z.object({
  threadId: z.string(),
}).meta({ id: "ThreadArchivedNotification" });
export type ThreadArchivedNotification = z.infer<typeof ThreadArchivedNotification>;

/** 0.169: a loaded thread was unloaded (idle with no subscribers, or archived). */
export const ThreadClosedNotification = z.object({
  threadId: z.string(),
}).meta({ id: "ThreadClosedNotification" });
export type ThreadClosedNotification = z.infer<typeof ThreadClosedNotification>;

/** 0.169: a server request was settled (answered, or ended without an answer). */
export const ServerRequestResolvedNotification = z.object({
  requestId: z.union([z.string(), z.number().int()]),
  threadId: z.string(),
}).meta({ id: "ServerRequestResolvedNotification" });
export type ServerRequestResolvedNotification = z.infer<typeof ServerRequestResolvedNotification>;

export const ThreadNameUpdatedNotification = z.object({
  threadId: z.string(),
  threadName: z.string().nullish(),
}).meta({ id: "ThreadNameUpdatedNotification" });
export type ThreadNameUpdatedNotification = z.infer<typeof ThreadNameUpdatedNotification>;

export const ThreadStartedNotification = z.object({
  thread: Thread,
}).meta({ id: "ThreadStartedNotification" });
export type ThreadStartedNotification = z.infer<typeof ThreadStartedNotification>;

export const ThreadStatusChangedNotification = z.object({
  status: ThreadStatus,
  threadId: z.string(),
}).meta({ id: "ThreadStatusChangedNotification" });
export type ThreadStatusChangedNotification = z.infer<typeof ThreadStatusChangedNotification>;

export const TokenUsageBreakdown = z.object({
  cachedInputTokens: int64(),
  inputTokens: int64(),
  outputTokens: int64(),
  reasoningOutputTokens: int64(),
  totalTokens: int64(),
}).meta({ id: "TokenUsageBreakdown" });
export type TokenUsageBreakdown = z.infer<typeof TokenUsageBreakdown>;

export const ThreadTokenUsage = z.object({
  last: TokenUsageBreakdown,
  modelContextWindow: int64().nullish(),
  total: TokenUsageBreakdown,
}).meta({ id: "ThreadTokenUsage" });
export type ThreadTokenUsage = z.infer<typeof ThreadTokenUsage>;

export const ThreadTokenUsageUpdatedNotification = z.object({
  threadId: z.string(),
  tokenUsage: ThreadTokenUsage,
  turnId: z.string(),
}).meta({ id: "ThreadTokenUsageUpdatedNotification" });
export type ThreadTokenUsageUpdatedNotification = z.infer<
  typeof ThreadTokenUsageUpdatedNotification
>;

export const ThreadUnarchivedNotification = z.object({
  threadId: z.string(),
}).meta({ id: "ThreadUnarchivedNotification" });
export type ThreadUnarchivedNotification = z.infer<typeof ThreadUnarchivedNotification>;

export const TurnCompletedNotification = z.object({
  threadId: z.string(),
  turn: Turn,
}).meta({ id: "TurnCompletedNotification" });
export type TurnCompletedNotification = z.infer<typeof TurnCompletedNotification>;

export const TurnDiffUpdatedNotification = z.object({
  diff: z.string(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "TurnDiffUpdatedNotification" });
export type TurnDiffUpdatedNotification = z.infer<typeof TurnDiffUpdatedNotification>;

export const TurnPlanStepStatus = z.enum(["pending", "inProgress", "completed"]).meta({
  id: "TurnPlanStepStatus",
});
export type TurnPlanStepStatus = z.infer<typeof TurnPlanStepStatus>;

export const TurnPlanStep = z.object({
  status: TurnPlanStepStatus,
  step: z.string(),
}).meta({ id: "TurnPlanStep" });
export type TurnPlanStep = z.infer<typeof TurnPlanStep>;

export const TurnPlanUpdatedNotification = z.object({
  explanation: z.string().nullish(),
  plan: z.array(TurnPlanStep),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "TurnPlanUpdatedNotification" });
export type TurnPlanUpdatedNotification = z.infer<typeof TurnPlanUpdatedNotification>;

export const TurnStartedNotification = z.object({
  threadId: z.string(),
  turn: Turn,
}).meta({ id: "TurnStartedNotification" });
export type TurnStartedNotification = z.infer<typeof TurnStartedNotification>;

export const WindowsSandboxSetupCompletedNotification = z.object({
  error: z.string().nullish(),
  mode: WindowsSandboxSetupMode,
  success: z.boolean(),
}).meta({ id: "WindowsSandboxSetupCompletedNotification" });
export type WindowsSandboxSetupCompletedNotification = z.infer<
  typeof WindowsSandboxSetupCompletedNotification
>;

export const WindowsWorldWritableWarningNotification = z.object({
  extraCount: uint(),
  failedScan: z.boolean(),
  samplePaths: z.array(z.string()),
}).meta({ id: "WindowsWorldWritableWarningNotification" });
export type WindowsWorldWritableWarningNotification = z.infer<
  typeof WindowsWorldWritableWarningNotification
>;
