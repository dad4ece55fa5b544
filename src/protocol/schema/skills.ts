/**
 * Local and remote skills (`skills/*`).
 *
 * @module
 */

import { z } from "zod";

export const HazelnutScope = z.enum(["example", "workspace-shared", "all-shared", "personal"]).meta(
  { id: "HazelnutScope" },
);
export type HazelnutScope = z.infer<typeof HazelnutScope>;

export const ProductSurface = z.enum(["chatgpt", "codex", "api", "atlas"]).meta({
  id: "ProductSurface",
});
export type ProductSurface = z.infer<typeof ProductSurface>;

export const RemoteSkillSummary = z.object({
  description: z.string(),
  id: z.string(),
  name: z.string(),
}).meta({ id: "RemoteSkillSummary" });
export type RemoteSkillSummary = z.infer<typeof RemoteSkillSummary>;

export const SkillToolDependency = z.object({
  command: z.string().nullish(),
  description: z.string().nullish(),
  transport: z.string().nullish(),
  type: z.string(),
  url: z.string().nullish(),
  value: z.string(),
}).meta({ id: "SkillToolDependency" });
export type SkillToolDependency = z.infer<typeof SkillToolDependency>;

export const SkillDependencies = z.object({
  tools: z.array(SkillToolDependency),
}).meta({ id: "SkillDependencies" });
export type SkillDependencies = z.infer<typeof SkillDependencies>;

export const SkillErrorInfo = z.object({
  message: z.string(),
  path: z.string(),
}).meta({ id: "SkillErrorInfo" });
export type SkillErrorInfo = z.infer<typeof SkillErrorInfo>;

export const SkillInterface = z.object({
  brandColor: z.string().nullish(),
  defaultPrompt: z.string().nullish(),
  displayName: z.string().nullish(),
  iconLarge: z.string().nullish(),
  iconSmall: z.string().nullish(),
  shortDescription: z.string().nullish(),
}).meta({ id: "SkillInterface" });
export type SkillInterface = z.infer<typeof SkillInterface>;

export const SkillScope = z.enum(["user", "repo", "system", "admin"]).meta({ id: "SkillScope" });
export type SkillScope = z.infer<typeof SkillScope>;

export const SkillMetadata = z.object({
  dependencies: SkillDependencies.nullish(),
  description: z.string(),
  enabled: z.boolean(),
  interface: SkillInterface.nullish(),
  name: z.string(),
  path: z.string(),
  scope: SkillScope,
  shortDescription: z.string().nullish(),
}).meta({ id: "SkillMetadata" });
export type SkillMetadata = z.infer<typeof SkillMetadata>;

export const SkillsConfigWriteParams = z.object({
  enabled: z.boolean(),
  path: z.string(),
}).meta({ id: "SkillsConfigWriteParams" });
export type SkillsConfigWriteParams = z.infer<typeof SkillsConfigWriteParams>;

export const SkillsConfigWriteResponse = z.object({
  effectiveEnabled: z.boolean(),
}).meta({ id: "SkillsConfigWriteResponse" });
export type SkillsConfigWriteResponse = z.infer<typeof SkillsConfigWriteResponse>;

export const SkillsListEntry = z.object({
  cwd: z.string(),
  errors: z.array(SkillErrorInfo),
  skills: z.array(SkillMetadata),
}).meta({ id: "SkillsListEntry" });
export type SkillsListEntry = z.infer<typeof SkillsListEntry>;

export const SkillsListExtraRootsForCwd = z.object({
  cwd: z.string(),
  extraUserRoots: z.array(z.string()),
}).meta({ id: "SkillsListExtraRootsForCwd" });
export type SkillsListExtraRootsForCwd = z.infer<typeof SkillsListExtraRootsForCwd>;

export const SkillsListParams = z.object({
  cwds: z.array(z.string()).optional(),
  forceReload: z.boolean().optional(),
  perCwdExtraUserRoots: z.array(SkillsListExtraRootsForCwd).nullable().default(null),
}).meta({ id: "SkillsListParams" });
export type SkillsListParams = z.infer<typeof SkillsListParams>;

export const SkillsListResponse = z.object({
  data: z.array(SkillsListEntry),
}).meta({ id: "SkillsListResponse" });
export type SkillsListResponse = z.infer<typeof SkillsListResponse>;

export const SkillsRemoteReadParams = z.object({
  enabled: z.boolean().default(false),
  hazelnutScope: HazelnutScope.default("example"),
  productSurface: ProductSurface.default("codex"),
}).meta({ id: "SkillsRemoteReadParams" });
export type SkillsRemoteReadParams = z.infer<typeof SkillsRemoteReadParams>;

export const SkillsRemoteReadResponse = z.object({
  data: z.array(RemoteSkillSummary),
}).meta({ id: "SkillsRemoteReadResponse" });
export type SkillsRemoteReadResponse = z.infer<typeof SkillsRemoteReadResponse>;

export const SkillsRemoteWriteParams = z.object({
  hazelnutId: z.string(),
}).meta({ id: "SkillsRemoteWriteParams" });
export type SkillsRemoteWriteParams = z.infer<typeof SkillsRemoteWriteParams>;

export const SkillsRemoteWriteResponse = z.object({
  id: z.string(),
  path: z.string(),
}).meta({ id: "SkillsRemoteWriteResponse" });
export type SkillsRemoteWriteResponse = z.infer<typeof SkillsRemoteWriteResponse>;
