/**
 * Raw Responses API items, used by `thread/resume` history and raw-item notifications.
 *
 * @module
 */

import { z } from "zod";
import { uint64 } from "./common.ts";
import { MessagePhase, WebSearchAction } from "./items.ts";

export const ContentItem = z.discriminatedUnion("type", [
  z.object({
    text: z.string(),
    type: z.literal("input_text"),
  }),
  z.object({
    image_url: z.string(),
    type: z.literal("input_image"),
  }),
  z.object({
    text: z.string(),
    type: z.literal("output_text"),
  }),
]).meta({ id: "ContentItem" });
export type ContentItem = z.infer<typeof ContentItem>;

export const FunctionCallOutputContentItem = z.discriminatedUnion("type", [
  z.object({
    text: z.string(),
    type: z.literal("input_text"),
  }),
  z.object({
    image_url: z.string(),
    type: z.literal("input_image"),
  }),
]).meta({ id: "FunctionCallOutputContentItem" });
export type FunctionCallOutputContentItem = z.infer<typeof FunctionCallOutputContentItem>;

export const FunctionCallOutputBody = z.union([z.string(), z.array(FunctionCallOutputContentItem)])
  .meta({ id: "FunctionCallOutputBody" });
export type FunctionCallOutputBody = z.infer<typeof FunctionCallOutputBody>;

export const FunctionCallOutputPayload = z.object({
  body: FunctionCallOutputBody,
  success: z.boolean().nullish(),
}).meta({ id: "FunctionCallOutputPayload" });
export type FunctionCallOutputPayload = z.infer<typeof FunctionCallOutputPayload>;

export const GhostCommit = z.object({
  id: z.string(),
  parent: z.string().nullish(),
  preexisting_untracked_dirs: z.array(z.string()),
  preexisting_untracked_files: z.array(z.string()),
}).meta({ id: "GhostCommit" });
export type GhostCommit = z.infer<typeof GhostCommit>;

export const LocalShellAction = z.discriminatedUnion("type", [
  z.object({
    command: z.array(z.string()),
    env: z.record(z.string(), z.string()).nullish(),
    timeout_ms: uint64().nullish(),
    type: z.literal("exec"),
    user: z.string().nullish(),
    working_directory: z.string().nullish(),
  }),
]).meta({ id: "LocalShellAction" });
export type LocalShellAction = z.infer<typeof LocalShellAction>;

export const LocalShellStatus = z.enum(["completed", "in_progress", "incomplete"]).meta({
  id: "LocalShellStatus",
});
export type LocalShellStatus = z.infer<typeof LocalShellStatus>;

export const ReasoningItemContent = z.discriminatedUnion("type", [
  z.object({
    text: z.string(),
    type: z.literal("reasoning_text"),
  }),
  z.object({
    text: z.string(),
    type: z.literal("text"),
  }),
]).meta({ id: "ReasoningItemContent" });
export type ReasoningItemContent = z.infer<typeof ReasoningItemContent>;

export const ReasoningItemReasoningSummary = z.discriminatedUnion("type", [
  z.object({
    text: z.string(),
    type: z.literal("summary_text"),
  }),
]).meta({ id: "ReasoningItemReasoningSummary" });
export type ReasoningItemReasoningSummary = z.infer<typeof ReasoningItemReasoningSummary>;

export const ResponseItem = z.discriminatedUnion("type", [
  z.object({
    content: z.array(ContentItem),
    end_turn: z.boolean().nullish(),
    id: z.string().nullish(),
    phase: MessagePhase.nullish(),
    role: z.string(),
    type: z.literal("message"),
  }),
  z.object({
    content: z.array(ReasoningItemContent).nullable().default(null),
    encrypted_content: z.string().nullish(),
    id: z.string(),
    summary: z.array(ReasoningItemReasoningSummary),
    type: z.literal("reasoning"),
  }),
  z.object({
    action: LocalShellAction,
    call_id: z.string().nullish(),
    id: z.string().nullish(),
    status: LocalShellStatus,
    type: z.literal("local_shell_call"),
  }),
  z.object({
    arguments: z.string(),
    call_id: z.string(),
    id: z.string().nullish(),
    name: z.string(),
    type: z.literal("function_call"),
  }),
  z.object({
    call_id: z.string(),
    output: FunctionCallOutputPayload,
    type: z.literal("function_call_output"),
  }),
  z.object({
    call_id: z.string(),
    id: z.string().nullish(),
    input: z.string(),
    name: z.string(),
    status: z.string().nullish(),
    type: z.literal("custom_tool_call"),
  }),
  z.object({
    call_id: z.string(),
    output: z.string(),
    type: z.literal("custom_tool_call_output"),
  }),
  z.object({
    action: WebSearchAction.nullish(),
    id: z.string().nullish(),
    status: z.string().nullish(),
    type: z.literal("web_search_call"),
  }),
  z.object({
    ghost_commit: GhostCommit,
    type: z.literal("ghost_snapshot"),
  }),
  z.object({
    encrypted_content: z.string(),
    type: z.literal("compaction"),
  }),
  z.object({
    type: z.literal("other"),
  }),
]).meta({ id: "ResponseItem" });
export type ResponseItem = z.infer<typeof ResponseItem>;
