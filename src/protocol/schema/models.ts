/**
 * Models, experimental feature flags, collaboration modes and the mock experimental method.
 *
 * @module
 */

import { z } from "zod";
import { uint32 } from "./common.ts";
import { ModeKind, ReasoningEffort } from "./turn.ts";

export const CollaborationModeListParams = z.object({}).meta({ id: "CollaborationModeListParams" });
export type CollaborationModeListParams = z.infer<typeof CollaborationModeListParams>;

export const CollaborationModeMask = z.object({
  developer_instructions: z.string().nullish(),
  mode: ModeKind.nullish(),
  model: z.string().nullish(),
  name: z.string(),
  reasoning_effort: ReasoningEffort.nullable().nullish(),
}).meta({ id: "CollaborationModeMask" });
export type CollaborationModeMask = z.infer<typeof CollaborationModeMask>;

export const CollaborationModeListResponse = z.object({
  data: z.array(CollaborationModeMask),
}).meta({ id: "CollaborationModeListResponse" });
export type CollaborationModeListResponse = z.infer<typeof CollaborationModeListResponse>;

export const ExperimentalFeatureStage = z.enum([
  "beta",
  "underDevelopment",
  "stable",
  "deprecated",
  "removed",
]).meta({ id: "ExperimentalFeatureStage" });
export type ExperimentalFeatureStage = z.infer<typeof ExperimentalFeatureStage>;

export const ExperimentalFeature = z.object({
  announcement: z.string().nullish(),
  defaultEnabled: z.boolean(),
  description: z.string().nullish(),
  displayName: z.string().nullish(),
  enabled: z.boolean(),
  name: z.string(),
  stage: ExperimentalFeatureStage,
}).meta({ id: "ExperimentalFeature" });
export type ExperimentalFeature = z.infer<typeof ExperimentalFeature>;

export const ExperimentalFeatureListParams = z.object({
  cursor: z.string().nullish(),
  limit: uint32().nullish(),
}).meta({ id: "ExperimentalFeatureListParams" });
export type ExperimentalFeatureListParams = z.infer<typeof ExperimentalFeatureListParams>;

export const ExperimentalFeatureListResponse = z.object({
  data: z.array(ExperimentalFeature),
  nextCursor: z.string().nullish(),
}).meta({ id: "ExperimentalFeatureListResponse" });
export type ExperimentalFeatureListResponse = z.infer<typeof ExperimentalFeatureListResponse>;

export const InputModality = z.enum(["text", "image"]).meta({ id: "InputModality" });
export type InputModality = z.infer<typeof InputModality>;

export const MockExperimentalMethodParams = z.object({
  value: z.string().nullish(),
}).meta({ id: "MockExperimentalMethodParams" });
export type MockExperimentalMethodParams = z.infer<typeof MockExperimentalMethodParams>;

export const MockExperimentalMethodResponse = z.object({
  echoed: z.string().nullish(),
}).meta({ id: "MockExperimentalMethodResponse" });
export type MockExperimentalMethodResponse = z.infer<typeof MockExperimentalMethodResponse>;

export const ReasoningEffortOption = z.object({
  description: z.string(),
  reasoningEffort: ReasoningEffort,
}).meta({ id: "ReasoningEffortOption" });
export type ReasoningEffortOption = z.infer<typeof ReasoningEffortOption>;

export const Model = z.object({
  defaultReasoningEffort: ReasoningEffort,
  description: z.string(),
  displayName: z.string(),
  hidden: z.boolean(),
  id: z.string(),
  inputModalities: z.array(InputModality).default(["text", "image"]),
  isDefault: z.boolean(),
  model: z.string(),
  supportedReasoningEfforts: z.array(ReasoningEffortOption),
  supportsPersonality: z.boolean().default(false),
  upgrade: z.string().nullish(),
}).meta({ id: "Model" });
export type Model = z.infer<typeof Model>;

export const ModelListParams = z.object({
  cursor: z.string().nullish(),
  includeHidden: z.boolean().nullish(),
  limit: uint32().nullish(),
}).meta({ id: "ModelListParams" });
export type ModelListParams = z.infer<typeof ModelListParams>;

export const ModelListResponse = z.object({
  data: z.array(Model),
  nextCursor: z.string().nullish(),
}).meta({ id: "ModelListResponse" });
export type ModelListResponse = z.infer<typeof ModelListResponse>;
