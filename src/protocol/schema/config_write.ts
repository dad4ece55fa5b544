/**
 * Config writes (`config/value/write`, `config/batchWrite`) and external agent config import.
 *
 * @module
 */

import { z } from "zod";
import { AbsolutePathBuf } from "./common.ts";
import { ConfigLayerMetadata } from "./config.ts";

export const MergeStrategy = z.enum(["replace", "upsert"]).meta({ id: "MergeStrategy" });
export type MergeStrategy = z.infer<typeof MergeStrategy>;

export const ConfigEdit = z.object({
  keyPath: z.string(),
  mergeStrategy: MergeStrategy,
  value: z.unknown(),
}).meta({ id: "ConfigEdit" });
export type ConfigEdit = z.infer<typeof ConfigEdit>;

export const ConfigBatchWriteParams = z.object({
  edits: z.array(ConfigEdit),
  expectedVersion: z.string().nullish(),
  filePath: z.string().nullish(),
}).meta({ id: "ConfigBatchWriteParams" });
export type ConfigBatchWriteParams = z.infer<typeof ConfigBatchWriteParams>;

export const ConfigValueWriteParams = z.object({
  expectedVersion: z.string().nullish(),
  filePath: z.string().nullish(),
  keyPath: z.string(),
  mergeStrategy: MergeStrategy,
  value: z.unknown(),
}).meta({ id: "ConfigValueWriteParams" });
export type ConfigValueWriteParams = z.infer<typeof ConfigValueWriteParams>;

export const OverriddenMetadata = z.object({
  effectiveValue: z.unknown(),
  message: z.string(),
  overridingLayer: ConfigLayerMetadata,
}).meta({ id: "OverriddenMetadata" });
export type OverriddenMetadata = z.infer<typeof OverriddenMetadata>;

export const WriteStatus = z.enum(["ok", "okOverridden"]).meta({ id: "WriteStatus" });
export type WriteStatus = z.infer<typeof WriteStatus>;

export const ConfigWriteResponse = z.object({
  filePath: AbsolutePathBuf,
  overriddenMetadata: OverriddenMetadata.nullish(),
  status: WriteStatus,
  version: z.string(),
}).meta({ id: "ConfigWriteResponse" });
export type ConfigWriteResponse = z.infer<typeof ConfigWriteResponse>;

export const ExternalAgentConfigDetectParams = z.object({
  cwds: z.array(z.string()).nullish(),
  includeHome: z.boolean().optional(),
}).meta({ id: "ExternalAgentConfigDetectParams" });
export type ExternalAgentConfigDetectParams = z.infer<typeof ExternalAgentConfigDetectParams>;

export const ExternalAgentConfigMigrationItemType = z.enum([
  "AGENTS_MD",
  "CONFIG",
  "SKILLS",
  "MCP_SERVER_CONFIG",
]).meta({ id: "ExternalAgentConfigMigrationItemType" });
export type ExternalAgentConfigMigrationItemType = z.infer<
  typeof ExternalAgentConfigMigrationItemType
>;

export const ExternalAgentConfigMigrationItem = z.object({
  cwd: z.string().nullish(),
  description: z.string(),
  itemType: ExternalAgentConfigMigrationItemType,
}).meta({ id: "ExternalAgentConfigMigrationItem" });
export type ExternalAgentConfigMigrationItem = z.infer<typeof ExternalAgentConfigMigrationItem>;

export const ExternalAgentConfigDetectResponse = z.object({
  items: z.array(ExternalAgentConfigMigrationItem),
}).meta({ id: "ExternalAgentConfigDetectResponse" });
export type ExternalAgentConfigDetectResponse = z.infer<typeof ExternalAgentConfigDetectResponse>;

export const ExternalAgentConfigImportParams = z.object({
  migrationItems: z.array(ExternalAgentConfigMigrationItem),
}).meta({ id: "ExternalAgentConfigImportParams" });
export type ExternalAgentConfigImportParams = z.infer<typeof ExternalAgentConfigImportParams>;

export const ExternalAgentConfigImportResponse = z.object({}).meta({
  id: "ExternalAgentConfigImportResponse",
});
export type ExternalAgentConfigImportResponse = z.infer<typeof ExternalAgentConfigImportResponse>;
