/**
 * Params and results of the `thread/*` methods.
 *
 * @module
 */

import { z } from "zod";
import { uint32 } from "./common.ts";
import { ResponseItem } from "./response_item.ts";
import { AskForApproval, SandboxMode, SandboxPolicy } from "./sandbox.ts";
import { Thread, Turn } from "./thread.ts";
import { Personality, ReasoningEffort } from "./turn.ts";

export const DynamicToolSpec = z.object({
  description: z.string(),
  inputSchema: z.unknown(),
  name: z.string(),
}).meta({ id: "DynamicToolSpec" });
export type DynamicToolSpec = z.infer<typeof DynamicToolSpec>;

/** Settings a client may override when starting, resuming or forking a thread. */
const threadOverrideShape = {
  approvalPolicy: AskForApproval.nullish(),
  baseInstructions: z.string().nullish(),
  config: z.record(z.string(), z.unknown()).nullish(),
  cwd: z.string().nullish(),
  developerInstructions: z.string().nullish(),
  model: z.string().nullish(),
  modelProvider: z.string().nullish(),
  sandbox: SandboxMode.nullish(),
};

/** What `thread/start`, `thread/resume` and `thread/fork` all answer: the thread and its settings. */
/** Who reviews approval requests on a thread (0.169); we only route them to the user. */
export const ApprovalsReviewer = z.enum(["user", "auto_review", "guardian_subagent"]).meta({
  id: "ApprovalsReviewer",
});
export type ApprovalsReviewer = z.infer<typeof ApprovalsReviewer>;

const threadSessionShape = {
  approvalPolicy: AskForApproval,
  approvalsReviewer: ApprovalsReviewer,
  cwd: z.string(),
  model: z.string(),
  modelProvider: z.string(),
  reasoningEffort: ReasoningEffort.nullish(),
  sandbox: SandboxPolicy,
  thread: Thread,
};

export const ThreadArchiveParams = z.object({
  threadId: z.string(),
}).meta({ id: "ThreadArchiveParams" });
export type ThreadArchiveParams = z.infer<typeof ThreadArchiveParams>;

export const ThreadArchiveResponse = z.object({}).meta({ id: "ThreadArchiveResponse" });
export type ThreadArchiveResponse = z.infer<typeof ThreadArchiveResponse>;

export const ThreadBackgroundTerminalsCleanParams = z.object({
  threadId: z.string(),
}).meta({ id: "ThreadBackgroundTerminalsCleanParams" });
export type ThreadBackgroundTerminalsCleanParams = z.infer<
  typeof ThreadBackgroundTerminalsCleanParams
>;

export const ThreadBackgroundTerminalsCleanResponse = z.object({}).meta({
  id: "ThreadBackgroundTerminalsCleanResponse",
});
export type ThreadBackgroundTerminalsCleanResponse = z.infer<
  typeof ThreadBackgroundTerminalsCleanResponse
>;

export const ThreadCompactStartParams = z.object({
  threadId: z.string(),
}).meta({ id: "ThreadCompactStartParams" });
export type ThreadCompactStartParams = z.infer<typeof ThreadCompactStartParams>;

export const ThreadCompactStartResponse = z.object({}).meta({ id: "ThreadCompactStartResponse" });
export type ThreadCompactStartResponse = z.infer<typeof ThreadCompactStartResponse>;

export const ThreadForkParams = z.object({
  ...threadOverrideShape,
  /** 0.169: a fork that is never written to disk. */
  ephemeral: z.boolean().nullish(),
  path: z.string().nullish().meta({ experimental: true }),
  persistExtendedHistory: z.boolean().default(false).meta({ experimental: true }),
  threadId: z.string(),
}).meta({ id: "ThreadForkParams" });
export type ThreadForkParams = z.infer<typeof ThreadForkParams>;

export const ThreadForkResponse = z.object(threadSessionShape).meta({ id: "ThreadForkResponse" });
export type ThreadForkResponse = z.infer<typeof ThreadForkResponse>;

export const ThreadSortKey = z.enum(["created_at", "updated_at"]).meta({ id: "ThreadSortKey" });
export type ThreadSortKey = z.infer<typeof ThreadSortKey>;

export const ThreadSourceKind = z.enum([
  "cli",
  "vscode",
  "exec",
  "appServer",
  "subAgent",
  "subAgentReview",
  "subAgentCompact",
  "subAgentThreadSpawn",
  "subAgentOther",
  "unknown",
]).meta({ id: "ThreadSourceKind" });
export type ThreadSourceKind = z.infer<typeof ThreadSourceKind>;

export const ThreadListParams = z.object({
  archived: z.boolean().nullish(),
  cursor: z.string().nullish(),
  cwd: z.string().nullish(),
  limit: uint32().nullish(),
  modelProviders: z.array(z.string()).nullish(),
  searchTerm: z.string().nullish(),
  sortKey: ThreadSortKey.nullish(),
  sourceKinds: z.array(ThreadSourceKind).nullish(),
}).meta({ id: "ThreadListParams" });
export type ThreadListParams = z.infer<typeof ThreadListParams>;

export const ThreadListResponse = z.object({
  data: z.array(Thread),
  nextCursor: z.string().nullish(),
}).meta({ id: "ThreadListResponse" });
export type ThreadListResponse = z.infer<typeof ThreadListResponse>;

export const ThreadLoadedListParams = z.object({
  cursor: z.string().nullish(),
  limit: uint32().nullish(),
}).meta({ id: "ThreadLoadedListParams" });
export type ThreadLoadedListParams = z.infer<typeof ThreadLoadedListParams>;

export const ThreadLoadedListResponse = z.object({
  data: z.array(z.string()),
  nextCursor: z.string().nullish(),
}).meta({ id: "ThreadLoadedListResponse" });
export type ThreadLoadedListResponse = z.infer<typeof ThreadLoadedListResponse>;

export const ThreadReadParams = z.object({
  includeTurns: z.boolean().default(false),
  threadId: z.string(),
}).meta({ id: "ThreadReadParams" });
export type ThreadReadParams = z.infer<typeof ThreadReadParams>;

export const ThreadReadResponse = z.object({
  thread: Thread,
}).meta({ id: "ThreadReadResponse" });
export type ThreadReadResponse = z.infer<typeof ThreadReadResponse>;

export const ThreadResumeParams = z.object({
  ...threadOverrideShape,
  history: z.array(ResponseItem).nullish().meta({ experimental: true }),
  path: z.string().nullish().meta({ experimental: true }),
  persistExtendedHistory: z.boolean().default(false).meta({ experimental: true }),
  personality: Personality.nullish(),
  threadId: z.string(),
}).meta({ id: "ThreadResumeParams" });
export type ThreadResumeParams = z.infer<typeof ThreadResumeParams>;

export const ThreadResumeResponse = z.object(threadSessionShape).meta({
  id: "ThreadResumeResponse",
});
export type ThreadResumeResponse = z.infer<typeof ThreadResumeResponse>;

export const ThreadRollbackParams = z.object({
  numTurns: uint32(),
  threadId: z.string(),
}).meta({ id: "ThreadRollbackParams" });
export type ThreadRollbackParams = z.infer<typeof ThreadRollbackParams>;

export const ThreadRollbackResponse = z.object({
  thread: Thread,
}).meta({ id: "ThreadRollbackResponse" });
export type ThreadRollbackResponse = z.infer<typeof ThreadRollbackResponse>;

export const ThreadSetNameParams = z.object({
  name: z.string(),
  threadId: z.string(),
}).meta({ id: "ThreadSetNameParams" });
export type ThreadSetNameParams = z.infer<typeof ThreadSetNameParams>;

export const ThreadSetNameResponse = z.object({}).meta({ id: "ThreadSetNameResponse" });
export type ThreadSetNameResponse = z.infer<typeof ThreadSetNameResponse>;

export const ThreadStartParams = z.object({
  ...threadOverrideShape,
  dynamicTools: z.array(DynamicToolSpec).nullish().meta({ experimental: true }),
  ephemeral: z.boolean().nullish(),
  experimentalRawEvents: z.boolean().default(false).meta({ experimental: true }),
  mockExperimentalField: z.string().nullish().meta({ experimental: true }),
  persistExtendedHistory: z.boolean().default(false).meta({ experimental: true }),
  personality: Personality.nullish(),
  serviceName: z.string().nullish(),
}).meta({ id: "ThreadStartParams" });
export type ThreadStartParams = z.infer<typeof ThreadStartParams>;

export const ThreadStartResponse = z.object(threadSessionShape).meta({ id: "ThreadStartResponse" });
export type ThreadStartResponse = z.infer<typeof ThreadStartResponse>;

export const ThreadUnsubscribeParams = z.object({
  threadId: z.string(),
}).meta({ id: "ThreadUnsubscribeParams" });
export type ThreadUnsubscribeParams = z.infer<typeof ThreadUnsubscribeParams>;

export const ThreadUnsubscribeStatus = z.enum(["notLoaded", "notSubscribed", "unsubscribed"])
  .meta({ id: "ThreadUnsubscribeStatus" });
export type ThreadUnsubscribeStatus = z.infer<typeof ThreadUnsubscribeStatus>;

export const ThreadUnsubscribeResponse = z.object({
  status: ThreadUnsubscribeStatus,
}).meta({ id: "ThreadUnsubscribeResponse" });
export type ThreadUnsubscribeResponse = z.infer<typeof ThreadUnsubscribeResponse>;

export const ThreadUnarchiveParams = z.object({
  threadId: z.string(),
}).meta({ id: "ThreadUnarchiveParams" });
export type ThreadUnarchiveParams = z.infer<typeof ThreadUnarchiveParams>;

export const ThreadUnarchiveResponse = z.object({
  thread: Thread,
}).meta({ id: "ThreadUnarchiveResponse" });
export type ThreadUnarchiveResponse = z.infer<typeof ThreadUnarchiveResponse>;

/** Page order of `thread/turns/list` (0.169). */
export const SortDirection = z.enum(["asc", "desc"]).meta({ id: "SortDirection" });
export type SortDirection = z.infer<typeof SortDirection>;

/** How much of each turn's items `thread/turns/list` returns (0.169). */
export const TurnItemsView = z.enum(["notLoaded", "summary", "full"]).meta({
  id: "TurnItemsView",
});
export type TurnItemsView = z.infer<typeof TurnItemsView>;

export const ThreadTurnsListParams = z.object({
  cursor: z.string().nullish(),
  itemsView: TurnItemsView.nullish(),
  limit: uint32().nullish(),
  sortDirection: SortDirection.nullish(),
  threadId: z.string(),
}).meta({ id: "ThreadTurnsListParams" });
export type ThreadTurnsListParams = z.infer<typeof ThreadTurnsListParams>;

export const ThreadTurnsListResponse = z.object({
  backwardsCursor: z.string().nullish(),
  data: z.array(Turn),
  nextCursor: z.string().nullish(),
}).meta({ id: "ThreadTurnsListResponse" });
export type ThreadTurnsListResponse = z.infer<typeof ThreadTurnsListResponse>;
