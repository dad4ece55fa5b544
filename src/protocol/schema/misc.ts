/**
 * Feedback upload, one-shot command exec, Windows sandbox setup and fuzzy file search.
 *
 * @module
 */

import { z } from "zod";
import { int32, int64, uint32 } from "./common.ts";
import { SandboxPolicy } from "./sandbox.ts";

export const CommandExecParams = z.object({
  command: z.array(z.string()),
  cwd: z.string().nullish(),
  sandboxPolicy: SandboxPolicy.nullish(),
  timeoutMs: int64().nullish(),
}).meta({ id: "CommandExecParams" });
export type CommandExecParams = z.infer<typeof CommandExecParams>;

export const CommandExecResponse = z.object({
  exitCode: int32(),
  stderr: z.string(),
  stdout: z.string(),
}).meta({ id: "CommandExecResponse" });
export type CommandExecResponse = z.infer<typeof CommandExecResponse>;

export const FeedbackUploadParams = z.object({
  classification: z.string(),
  extraLogFiles: z.array(z.string()).nullish(),
  includeLogs: z.boolean(),
  reason: z.string().nullish(),
  threadId: z.string().nullish(),
}).meta({ id: "FeedbackUploadParams" });
export type FeedbackUploadParams = z.infer<typeof FeedbackUploadParams>;

export const FeedbackUploadResponse = z.object({
  threadId: z.string(),
}).meta({ id: "FeedbackUploadResponse" });
export type FeedbackUploadResponse = z.infer<typeof FeedbackUploadResponse>;

export const FuzzyFileSearchParams = z.object({
  cancellationToken: z.string().nullish(),
  query: z.string(),
  roots: z.array(z.string()),
}).meta({ id: "FuzzyFileSearchParams" });
export type FuzzyFileSearchParams = z.infer<typeof FuzzyFileSearchParams>;

export const FuzzyFileSearchResult = z.object({
  file_name: z.string(),
  indices: z.array(uint32()).nullish(),
  path: z.string(),
  root: z.string(),
  score: uint32(),
}).meta({ id: "FuzzyFileSearchResult" });
export type FuzzyFileSearchResult = z.infer<typeof FuzzyFileSearchResult>;

export const FuzzyFileSearchResponse = z.object({
  files: z.array(FuzzyFileSearchResult),
}).meta({ id: "FuzzyFileSearchResponse" });
export type FuzzyFileSearchResponse = z.infer<typeof FuzzyFileSearchResponse>;

export const FuzzyFileSearchSessionStartParams = z.object({
  roots: z.array(z.string()),
  sessionId: z.string(),
}).meta({ id: "FuzzyFileSearchSessionStartParams" });
export type FuzzyFileSearchSessionStartParams = z.infer<typeof FuzzyFileSearchSessionStartParams>;

export const FuzzyFileSearchSessionStartResponse = z.object({}).meta({
  id: "FuzzyFileSearchSessionStartResponse",
});
export type FuzzyFileSearchSessionStartResponse = z.infer<
  typeof FuzzyFileSearchSessionStartResponse
>;

export const FuzzyFileSearchSessionStopParams = z.object({
  sessionId: z.string(),
}).meta({ id: "FuzzyFileSearchSessionStopParams" });
export type FuzzyFileSearchSessionStopParams = z.infer<typeof FuzzyFileSearchSessionStopParams>;

export const FuzzyFileSearchSessionStopResponse = z.object({}).meta({
  id: "FuzzyFileSearchSessionStopResponse",
});
export type FuzzyFileSearchSessionStopResponse = z.infer<typeof FuzzyFileSearchSessionStopResponse>;

export const FuzzyFileSearchSessionUpdateParams = z.object({
  query: z.string(),
  sessionId: z.string(),
}).meta({ id: "FuzzyFileSearchSessionUpdateParams" });
export type FuzzyFileSearchSessionUpdateParams = z.infer<typeof FuzzyFileSearchSessionUpdateParams>;

export const FuzzyFileSearchSessionUpdateResponse = z.object({}).meta({
  id: "FuzzyFileSearchSessionUpdateResponse",
});
export type FuzzyFileSearchSessionUpdateResponse = z.infer<
  typeof FuzzyFileSearchSessionUpdateResponse
>;

export const WindowsSandboxSetupMode = z.enum(["elevated", "unelevated"]).meta({
  id: "WindowsSandboxSetupMode",
});
export type WindowsSandboxSetupMode = z.infer<typeof WindowsSandboxSetupMode>;

export const WindowsSandboxSetupStartParams = z.object({
  mode: WindowsSandboxSetupMode,
}).meta({ id: "WindowsSandboxSetupStartParams" });
export type WindowsSandboxSetupStartParams = z.infer<typeof WindowsSandboxSetupStartParams>;

export const WindowsSandboxSetupStartResponse = z.object({
  started: z.boolean(),
}).meta({ id: "WindowsSandboxSetupStartResponse" });
export type WindowsSandboxSetupStartResponse = z.infer<typeof WindowsSandboxSetupStartResponse>;
