/**
 * The thread and turn objects that `thread/*` and `turn/*` methods return.
 *
 * @module
 */

import { z } from "zod";
import { int32, int64, ThreadId, uint16 } from "./common.ts";
import { ThreadItem } from "./items.ts";

export const CodexErrorInfo = z.union([
  z.enum([
    "contextWindowExceeded",
    "usageLimitExceeded",
    "serverOverloaded",
    "internalServerError",
    "unauthorized",
    "badRequest",
    "threadRollbackFailed",
    "sandboxError",
    "other",
  ]),
  z.strictObject({
    httpConnectionFailed: z.object({
      httpStatusCode: uint16().nullish(),
    }),
  }),
  z.strictObject({
    responseStreamConnectionFailed: z.object({
      httpStatusCode: uint16().nullish(),
    }),
  }),
  z.strictObject({
    responseStreamDisconnected: z.object({
      httpStatusCode: uint16().nullish(),
    }),
  }),
  z.strictObject({
    responseTooManyFailedAttempts: z.object({
      httpStatusCode: uint16().nullish(),
    }),
  }),
]).meta({ id: "CodexErrorInfo" });
export type CodexErrorInfo = z.infer<typeof CodexErrorInfo>;

export const GitInfo = z.object({
  branch: z.string().nullish(),
  originUrl: z.string().nullish(),
  sha: z.string().nullish(),
}).meta({ id: "GitInfo" });
export type GitInfo = z.infer<typeof GitInfo>;

export const SubAgentSource = z.union([
  z.enum(["review", "compact", "memory_consolidation"]),
  z.strictObject({
    thread_spawn: z.object({
      agent_nickname: z.string().nullable().default(null),
      agent_role: z.string().nullable().default(null),
      depth: int32(),
      parent_thread_id: ThreadId,
    }),
  }),
  z.strictObject({
    other: z.string(),
  }),
]).meta({ id: "SubAgentSource" });
export type SubAgentSource = z.infer<typeof SubAgentSource>;

export const SessionSource = z.union([
  z.enum(["cli", "vscode", "exec", "appServer", "unknown"]),
  z.strictObject({
    subAgent: SubAgentSource,
  }),
]).meta({ id: "SessionSource" });
export type SessionSource = z.infer<typeof SessionSource>;

export const ThreadActiveFlag = z.enum(["waitingOnApproval", "waitingOnUserInput"]).meta({
  id: "ThreadActiveFlag",
});
export type ThreadActiveFlag = z.infer<typeof ThreadActiveFlag>;

export const ThreadStatus = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("notLoaded"),
  }),
  z.object({
    type: z.literal("idle"),
  }),
  z.object({
    type: z.literal("systemError"),
  }),
  z.object({
    activeFlags: z.array(ThreadActiveFlag),
    type: z.literal("active"),
  }),
]).meta({ id: "ThreadStatus" });
export type ThreadStatus = z.infer<typeof ThreadStatus>;

export const TurnError = z.object({
  additionalDetails: z.string().nullable().default(null),
  codexErrorInfo: CodexErrorInfo.nullish(),
  message: z.string(),
}).meta({ id: "TurnError" });
export type TurnError = z.infer<typeof TurnError>;

export const TurnStatus = z.enum(["completed", "interrupted", "failed", "inProgress"]).meta({
  id: "TurnStatus",
});
export type TurnStatus = z.infer<typeof TurnStatus>;

export const Turn = z.object({
  error: TurnError.nullish(),
  id: z.string(),
  items: z.array(ThreadItem),
  status: TurnStatus,
}).meta({ id: "Turn" });
export type Turn = z.infer<typeof Turn>;

export const Thread = z.object({
  agentNickname: z.string().nullish(),
  agentRole: z.string().nullish(),
  cliVersion: z.string(),
  createdAt: int64(),
  cwd: z.string(),
  ephemeral: z.boolean(),
  /** 0.169: the thread this one was forked from. */
  forkedFromId: z.string().nullish(),
  gitInfo: GitInfo.nullish(),
  id: z.string(),
  modelProvider: z.string(),
  name: z.string().nullish(),
  path: z.string().nullish(),
  preview: z.string(),
  projectId: z.string().nullable(),
  sessionId: z.string(),
  source: SessionSource,
  status: ThreadStatus,
  turns: z.array(Turn),
  updatedAt: int64(),
}).meta({ id: "Thread" });
export type Thread = z.infer<typeof Thread>;
