/**
 * Thread items: the typed entries (messages, commands, file changes, tool calls…) that make up a turn.
 *
 * @module
 */

import { z } from "zod";
import { int32, int64 } from "./common.ts";
import { UserInput } from "./user_input.ts";

export const CollabAgentStatus = z.enum([
  "pendingInit",
  "running",
  "completed",
  "errored",
  "shutdown",
  "notFound",
]).meta({ id: "CollabAgentStatus" });
export type CollabAgentStatus = z.infer<typeof CollabAgentStatus>;

export const CollabAgentState = z.object({
  message: z.string().nullish(),
  status: CollabAgentStatus,
}).meta({ id: "CollabAgentState" });
export type CollabAgentState = z.infer<typeof CollabAgentState>;

export const CollabAgentTool = z.enum([
  "spawnAgent",
  "sendInput",
  "resumeAgent",
  "wait",
  "closeAgent",
]).meta({ id: "CollabAgentTool" });
export type CollabAgentTool = z.infer<typeof CollabAgentTool>;

export const CollabAgentToolCallStatus = z.enum(["inProgress", "completed", "failed"]).meta({
  id: "CollabAgentToolCallStatus",
});
export type CollabAgentToolCallStatus = z.infer<typeof CollabAgentToolCallStatus>;

export const CommandAction = z.discriminatedUnion("type", [
  z.object({
    command: z.string(),
    name: z.string(),
    path: z.string(),
    type: z.literal("read"),
  }),
  z.object({
    command: z.string(),
    path: z.string().nullish(),
    type: z.literal("listFiles"),
  }),
  z.object({
    command: z.string(),
    path: z.string().nullish(),
    query: z.string().nullish(),
    type: z.literal("search"),
  }),
  z.object({
    command: z.string(),
    type: z.literal("unknown"),
  }),
]).meta({ id: "CommandAction" });
export type CommandAction = z.infer<typeof CommandAction>;

export const CommandExecutionStatus = z.enum(["inProgress", "completed", "failed", "declined"])
  .meta({ id: "CommandExecutionStatus" });
export type CommandExecutionStatus = z.infer<typeof CommandExecutionStatus>;

export const PatchChangeKind = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("add"),
  }),
  z.object({
    type: z.literal("delete"),
  }),
  z.object({
    move_path: z.string().nullish(),
    type: z.literal("update"),
  }),
]).meta({ id: "PatchChangeKind" });
export type PatchChangeKind = z.infer<typeof PatchChangeKind>;

export const FileUpdateChange = z.object({
  diff: z.string(),
  kind: PatchChangeKind,
  path: z.string(),
}).meta({ id: "FileUpdateChange" });
export type FileUpdateChange = z.infer<typeof FileUpdateChange>;

export const McpToolCallError = z.object({
  message: z.string(),
}).meta({ id: "McpToolCallError" });
export type McpToolCallError = z.infer<typeof McpToolCallError>;

export const McpToolCallResult = z.object({
  content: z.array(z.unknown()),
  structuredContent: z.unknown().optional(),
}).meta({ id: "McpToolCallResult" });
export type McpToolCallResult = z.infer<typeof McpToolCallResult>;

export const McpToolCallStatus = z.enum(["inProgress", "completed", "failed"]).meta({
  id: "McpToolCallStatus",
});
export type McpToolCallStatus = z.infer<typeof McpToolCallStatus>;

export const MessagePhase = z.enum(["commentary", "final_answer"]).meta({ id: "MessagePhase" });
export type MessagePhase = z.infer<typeof MessagePhase>;

export const PatchApplyStatus = z.enum(["inProgress", "completed", "failed", "declined"]).meta({
  id: "PatchApplyStatus",
});
export type PatchApplyStatus = z.infer<typeof PatchApplyStatus>;

export const WebSearchAction = z.discriminatedUnion("type", [
  z.object({
    queries: z.array(z.string()).nullish(),
    query: z.string().nullish(),
    type: z.literal("search"),
  }),
  z.object({
    type: z.literal("open_page"),
    url: z.string().nullish(),
  }),
  z.object({
    pattern: z.string().nullish(),
    type: z.literal("find_in_page"),
    url: z.string().nullish(),
  }),
  z.object({
    type: z.literal("other"),
  }),
]).meta({ id: "WebSearchAction" });
export type WebSearchAction = z.infer<typeof WebSearchAction>;

export const ThreadItem = z.discriminatedUnion("type", [
  z.object({
    content: z.array(UserInput),
    id: z.string(),
    type: z.literal("userMessage"),
  }),
  z.object({
    id: z.string(),
    phase: MessagePhase.nullable().default(null),
    text: z.string(),
    type: z.literal("agentMessage"),
  }),
  z.object({
    id: z.string(),
    text: z.string(),
    type: z.literal("plan"),
  }),
  z.object({
    content: z.array(z.string()).default([]),
    id: z.string(),
    summary: z.array(z.string()).default([]),
    type: z.literal("reasoning"),
  }),
  z.object({
    aggregatedOutput: z.string().nullish(),
    command: z.string(),
    commandActions: z.array(CommandAction),
    cwd: z.string(),
    durationMs: int64().nullish(),
    exitCode: int32().nullish(),
    id: z.string(),
    processId: z.string().nullish(),
    status: CommandExecutionStatus,
    type: z.literal("commandExecution"),
  }),
  z.object({
    changes: z.array(FileUpdateChange),
    id: z.string(),
    status: PatchApplyStatus,
    type: z.literal("fileChange"),
  }),
  z.object({
    arguments: z.unknown(),
    durationMs: int64().nullish(),
    error: McpToolCallError.nullish(),
    id: z.string(),
    result: McpToolCallResult.nullish(),
    server: z.string(),
    status: McpToolCallStatus,
    tool: z.string(),
    type: z.literal("mcpToolCall"),
  }),
  z.object({
    agentsStates: z.record(z.string(), CollabAgentState),
    id: z.string(),
    prompt: z.string().nullish(),
    receiverThreadIds: z.array(z.string()),
    senderThreadId: z.string(),
    status: CollabAgentToolCallStatus,
    tool: CollabAgentTool,
    type: z.literal("collabAgentToolCall"),
  }),
  z.object({
    action: WebSearchAction.nullish(),
    id: z.string(),
    query: z.string(),
    type: z.literal("webSearch"),
  }),
  z.object({
    id: z.string(),
    path: z.string(),
    type: z.literal("imageView"),
  }),
  z.object({
    id: z.string(),
    review: z.string(),
    type: z.literal("enteredReviewMode"),
  }),
  z.object({
    id: z.string(),
    review: z.string(),
    type: z.literal("exitedReviewMode"),
  }),
  z.object({
    id: z.string(),
    type: z.literal("contextCompaction"),
  }),
]).meta({ id: "ThreadItem" });
export type ThreadItem = z.infer<typeof ThreadItem>;
