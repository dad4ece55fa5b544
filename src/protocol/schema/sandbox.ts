/**
 * Approval and sandbox policies that threads, turns and commands run under.
 *
 * @module
 */

import { z } from "zod";
import { AbsolutePathBuf } from "./common.ts";

export const AskForApproval = z.union([
  z.enum(["untrusted", "on-failure", "on-request", "never"]),
  z.strictObject({
    reject: z.object({
      mcp_elicitations: z.boolean(),
      rules: z.boolean(),
      sandbox_approval: z.boolean(),
    }),
  }),
]).meta({ id: "AskForApproval" });
export type AskForApproval = z.infer<typeof AskForApproval>;

export const NetworkAccess = z.enum(["restricted", "enabled"]).meta({ id: "NetworkAccess" });
export type NetworkAccess = z.infer<typeof NetworkAccess>;

export const ReadOnlyAccess = z.discriminatedUnion("type", [
  z.object({
    includePlatformDefaults: z.boolean().default(true),
    readableRoots: z.array(AbsolutePathBuf).default([]),
    type: z.literal("restricted"),
  }),
  z.object({
    type: z.literal("fullAccess"),
  }),
]).meta({ id: "ReadOnlyAccess" });
export type ReadOnlyAccess = z.infer<typeof ReadOnlyAccess>;

export const SandboxMode = z.enum(["read-only", "workspace-write", "danger-full-access"]).meta({
  id: "SandboxMode",
});
export type SandboxMode = z.infer<typeof SandboxMode>;

export const SandboxPolicy = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("dangerFullAccess"),
  }),
  z.object({
    access: ReadOnlyAccess.default({ "type": "fullAccess" }),
    type: z.literal("readOnly"),
  }),
  z.object({
    networkAccess: NetworkAccess.default("restricted"),
    type: z.literal("externalSandbox"),
  }),
  z.object({
    excludeSlashTmp: z.boolean().default(false),
    excludeTmpdirEnvVar: z.boolean().default(false),
    networkAccess: z.boolean().default(false),
    readOnlyAccess: ReadOnlyAccess.default({ "type": "fullAccess" }),
    type: z.literal("workspaceWrite"),
    writableRoots: z.array(AbsolutePathBuf).default([]),
  }),
]).meta({ id: "SandboxPolicy" });
export type SandboxPolicy = z.infer<typeof SandboxPolicy>;

export const SandboxWorkspaceWrite = z.object({
  exclude_slash_tmp: z.boolean().default(false),
  exclude_tmpdir_env_var: z.boolean().default(false),
  network_access: z.boolean().default(false),
  writable_roots: z.array(z.string()).default([]),
}).meta({ id: "SandboxWorkspaceWrite" });
export type SandboxWorkspaceWrite = z.infer<typeof SandboxWorkspaceWrite>;
