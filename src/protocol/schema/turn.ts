/**
 * Params and results of `turn/*` and `review/start`, plus the model settings a turn can override.
 *
 * @module
 */

import { z } from "zod";
import { AskForApproval, SandboxPolicy } from "./sandbox.ts";
import { Turn } from "./thread.ts";
import { UserInput } from "./user_input.ts";

export const ModeKind = z.enum(["plan", "default"]).meta({ id: "ModeKind" });
export type ModeKind = z.infer<typeof ModeKind>;

export const ReasoningEffort = z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).meta({
  id: "ReasoningEffort",
});
export type ReasoningEffort = z.infer<typeof ReasoningEffort>;

export const Settings = z.object({
  developer_instructions: z.string().nullish(),
  model: z.string(),
  reasoning_effort: ReasoningEffort.nullish(),
}).meta({ id: "Settings" });
export type Settings = z.infer<typeof Settings>;

export const CollaborationMode = z.object({
  mode: ModeKind,
  settings: Settings,
}).meta({ id: "CollaborationMode" });
export type CollaborationMode = z.infer<typeof CollaborationMode>;

export const Personality = z.enum(["none", "friendly", "pragmatic"]).meta({ id: "Personality" });
export type Personality = z.infer<typeof Personality>;

export const ReasoningSummary = z.enum(["auto", "concise", "detailed", "none"]).meta({
  id: "ReasoningSummary",
});
export type ReasoningSummary = z.infer<typeof ReasoningSummary>;

export const ReviewDelivery = z.enum(["inline", "detached"]).meta({ id: "ReviewDelivery" });
export type ReviewDelivery = z.infer<typeof ReviewDelivery>;

export const ReviewTarget = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("uncommittedChanges"),
  }),
  z.object({
    branch: z.string(),
    type: z.literal("baseBranch"),
  }),
  z.object({
    sha: z.string(),
    title: z.string().nullish(),
    type: z.literal("commit"),
  }),
  z.object({
    instructions: z.string(),
    type: z.literal("custom"),
  }),
]).meta({ id: "ReviewTarget" });
export type ReviewTarget = z.infer<typeof ReviewTarget>;

export const ReviewStartParams = z.object({
  delivery: ReviewDelivery.nullable().default(null),
  target: ReviewTarget,
  threadId: z.string(),
}).meta({ id: "ReviewStartParams" });
export type ReviewStartParams = z.infer<typeof ReviewStartParams>;

export const ReviewStartResponse = z.object({
  reviewThreadId: z.string(),
  turn: Turn,
}).meta({ id: "ReviewStartResponse" });
export type ReviewStartResponse = z.infer<typeof ReviewStartResponse>;

export const TurnInterruptParams = z.object({
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "TurnInterruptParams" });
export type TurnInterruptParams = z.infer<typeof TurnInterruptParams>;

export const TurnInterruptResponse = z.object({}).meta({ id: "TurnInterruptResponse" });
export type TurnInterruptResponse = z.infer<typeof TurnInterruptResponse>;

export const TurnStartParams = z.object({
  approvalPolicy: AskForApproval.nullish(),
  collaborationMode: CollaborationMode.nullish().meta({ experimental: true }),
  cwd: z.string().nullish(),
  effort: ReasoningEffort.nullish(),
  input: z.array(UserInput),
  model: z.string().nullish(),
  outputSchema: z.unknown().optional(),
  personality: Personality.nullish(),
  sandboxPolicy: SandboxPolicy.nullish(),
  summary: ReasoningSummary.nullish(),
  threadId: z.string(),
}).meta({ id: "TurnStartParams" });
export type TurnStartParams = z.infer<typeof TurnStartParams>;

export const TurnStartResponse = z.object({
  turn: Turn,
}).meta({ id: "TurnStartResponse" });
export type TurnStartResponse = z.infer<typeof TurnStartResponse>;

export const TurnSteerParams = z.object({
  expectedTurnId: z.string(),
  input: z.array(UserInput),
  threadId: z.string(),
}).meta({ id: "TurnSteerParams" });
export type TurnSteerParams = z.infer<typeof TurnSteerParams>;

export const TurnSteerResponse = z.object({
  turnId: z.string(),
}).meta({ id: "TurnSteerResponse" });
export type TurnSteerResponse = z.infer<typeof TurnSteerResponse>;
