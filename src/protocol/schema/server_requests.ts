/**
 * Server → client requests (approvals, user input, dynamic tool calls, token refresh) and the answers clients send back.
 *
 * @module
 */

import { z } from "zod";
import { CommandAction } from "./items.ts";

export const AdditionalFileSystemPermissions = z.object({
  read: z.array(z.string()).nullish(),
  write: z.array(z.string()).nullish(),
}).meta({ id: "AdditionalFileSystemPermissions" });
export type AdditionalFileSystemPermissions = z.infer<typeof AdditionalFileSystemPermissions>;

export const MacOsAutomationValue = z.union([z.boolean(), z.array(z.string())]).meta({
  id: "MacOsAutomationValue",
});
export type MacOsAutomationValue = z.infer<typeof MacOsAutomationValue>;

export const MacOsPreferencesValue = z.union([z.boolean(), z.string()]).meta({
  id: "MacOsPreferencesValue",
});
export type MacOsPreferencesValue = z.infer<typeof MacOsPreferencesValue>;

export const AdditionalMacOsPermissions = z.object({
  accessibility: z.boolean().nullish(),
  automations: MacOsAutomationValue.nullish(),
  calendar: z.boolean().nullish(),
  preferences: MacOsPreferencesValue.nullish(),
}).meta({ id: "AdditionalMacOsPermissions" });
export type AdditionalMacOsPermissions = z.infer<typeof AdditionalMacOsPermissions>;

export const AdditionalPermissionProfile = z.object({
  fileSystem: AdditionalFileSystemPermissions.nullish(),
  macos: AdditionalMacOsPermissions.nullish(),
  network: z.boolean().nullish(),
}).meta({ id: "AdditionalPermissionProfile" });
export type AdditionalPermissionProfile = z.infer<typeof AdditionalPermissionProfile>;

export const ChatgptAuthTokensRefreshReason = z.enum(["unauthorized"]).meta({
  id: "ChatgptAuthTokensRefreshReason",
});
export type ChatgptAuthTokensRefreshReason = z.infer<typeof ChatgptAuthTokensRefreshReason>;

export const ChatgptAuthTokensRefreshParams = z.object({
  previousAccountId: z.string().nullish(),
  reason: ChatgptAuthTokensRefreshReason,
}).meta({ id: "ChatgptAuthTokensRefreshParams" });
export type ChatgptAuthTokensRefreshParams = z.infer<typeof ChatgptAuthTokensRefreshParams>;

export const ChatgptAuthTokensRefreshResponse = z.object({
  accessToken: z.string(),
  chatgptAccountId: z.string(),
  chatgptPlanType: z.string().nullish(),
}).meta({ id: "ChatgptAuthTokensRefreshResponse" });
export type ChatgptAuthTokensRefreshResponse = z.infer<typeof ChatgptAuthTokensRefreshResponse>;

export const NetworkPolicyRuleAction = z.enum(["allow", "deny"]).meta({
  id: "NetworkPolicyRuleAction",
});
export type NetworkPolicyRuleAction = z.infer<typeof NetworkPolicyRuleAction>;

export const NetworkPolicyAmendment = z.object({
  action: NetworkPolicyRuleAction,
  host: z.string(),
}).meta({ id: "NetworkPolicyAmendment" });
export type NetworkPolicyAmendment = z.infer<typeof NetworkPolicyAmendment>;

export const CommandExecutionApprovalDecision = z.union([
  z.enum(["accept", "acceptForSession", "decline", "cancel"]),
  z.strictObject({
    acceptWithExecpolicyAmendment: z.object({
      execpolicy_amendment: z.array(z.string()),
    }),
  }),
  z.strictObject({
    applyNetworkPolicyAmendment: z.object({
      network_policy_amendment: NetworkPolicyAmendment,
    }),
  }),
]).meta({ id: "CommandExecutionApprovalDecision" });
export type CommandExecutionApprovalDecision = z.infer<typeof CommandExecutionApprovalDecision>;

export const NetworkApprovalProtocol = z.enum(["http", "https", "socks5Tcp", "socks5Udp"]).meta({
  id: "NetworkApprovalProtocol",
});
export type NetworkApprovalProtocol = z.infer<typeof NetworkApprovalProtocol>;

export const NetworkApprovalContext = z.object({
  host: z.string(),
  protocol: NetworkApprovalProtocol,
}).meta({ id: "NetworkApprovalContext" });
export type NetworkApprovalContext = z.infer<typeof NetworkApprovalContext>;

export const CommandExecutionRequestApprovalParams = z.object({
  additionalPermissions: AdditionalPermissionProfile.nullish().meta({ experimental: true }),
  approvalId: z.string().nullish(),
  command: z.string().nullish(),
  commandActions: z.array(CommandAction).nullish(),
  cwd: z.string().nullish(),
  itemId: z.string(),
  networkApprovalContext: NetworkApprovalContext.nullish(),
  proposedExecpolicyAmendment: z.array(z.string()).nullish(),
  proposedNetworkPolicyAmendments: z.array(NetworkPolicyAmendment).nullish(),
  reason: z.string().nullish(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "CommandExecutionRequestApprovalParams" });
export type CommandExecutionRequestApprovalParams = z.infer<
  typeof CommandExecutionRequestApprovalParams
>;

export const CommandExecutionRequestApprovalResponse = z.object({
  decision: CommandExecutionApprovalDecision,
}).meta({ id: "CommandExecutionRequestApprovalResponse" });
export type CommandExecutionRequestApprovalResponse = z.infer<
  typeof CommandExecutionRequestApprovalResponse
>;

export const DynamicToolCallOutputContentItem = z.discriminatedUnion("type", [
  z.object({
    text: z.string(),
    type: z.literal("inputText"),
  }),
  z.object({
    imageUrl: z.string(),
    type: z.literal("inputImage"),
  }),
]).meta({ id: "DynamicToolCallOutputContentItem" });
export type DynamicToolCallOutputContentItem = z.infer<typeof DynamicToolCallOutputContentItem>;

export const DynamicToolCallParams = z.object({
  arguments: z.unknown(),
  callId: z.string(),
  threadId: z.string(),
  tool: z.string(),
  turnId: z.string(),
}).meta({ id: "DynamicToolCallParams" });
export type DynamicToolCallParams = z.infer<typeof DynamicToolCallParams>;

export const DynamicToolCallResponse = z.object({
  contentItems: z.array(DynamicToolCallOutputContentItem),
  success: z.boolean(),
}).meta({ id: "DynamicToolCallResponse" });
export type DynamicToolCallResponse = z.infer<typeof DynamicToolCallResponse>;

export const FileChangeApprovalDecision = z.enum([
  "accept",
  "acceptForSession",
  "decline",
  "cancel",
]).meta({ id: "FileChangeApprovalDecision" });
export type FileChangeApprovalDecision = z.infer<typeof FileChangeApprovalDecision>;

export const FileChangeRequestApprovalParams = z.object({
  grantRoot: z.string().nullish(),
  itemId: z.string(),
  reason: z.string().nullish(),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "FileChangeRequestApprovalParams" });
export type FileChangeRequestApprovalParams = z.infer<typeof FileChangeRequestApprovalParams>;

export const FileChangeRequestApprovalResponse = z.object({
  decision: FileChangeApprovalDecision,
}).meta({ id: "FileChangeRequestApprovalResponse" });
export type FileChangeRequestApprovalResponse = z.infer<typeof FileChangeRequestApprovalResponse>;

export const SkillApprovalDecision = z.enum(["approve", "decline"]).meta({
  id: "SkillApprovalDecision",
});
export type SkillApprovalDecision = z.infer<typeof SkillApprovalDecision>;

export const SkillRequestApprovalParams = z.object({
  itemId: z.string(),
  skillName: z.string(),
}).meta({ id: "SkillRequestApprovalParams" });
export type SkillRequestApprovalParams = z.infer<typeof SkillRequestApprovalParams>;

export const SkillRequestApprovalResponse = z.object({
  decision: SkillApprovalDecision,
}).meta({ id: "SkillRequestApprovalResponse" });
export type SkillRequestApprovalResponse = z.infer<typeof SkillRequestApprovalResponse>;

export const ToolRequestUserInputAnswer = z.object({
  answers: z.array(z.string()),
}).meta({ id: "ToolRequestUserInputAnswer" });
export type ToolRequestUserInputAnswer = z.infer<typeof ToolRequestUserInputAnswer>;

export const ToolRequestUserInputOption = z.object({
  description: z.string(),
  label: z.string(),
}).meta({ id: "ToolRequestUserInputOption" });
export type ToolRequestUserInputOption = z.infer<typeof ToolRequestUserInputOption>;

export const ToolRequestUserInputQuestion = z.object({
  header: z.string(),
  id: z.string(),
  isOther: z.boolean().default(false),
  isSecret: z.boolean().default(false),
  options: z.array(ToolRequestUserInputOption).nullish(),
  question: z.string(),
}).meta({ id: "ToolRequestUserInputQuestion" });
export type ToolRequestUserInputQuestion = z.infer<typeof ToolRequestUserInputQuestion>;

export const ToolRequestUserInputParams = z.object({
  itemId: z.string(),
  questions: z.array(ToolRequestUserInputQuestion),
  threadId: z.string(),
  turnId: z.string(),
}).meta({ id: "ToolRequestUserInputParams" });
export type ToolRequestUserInputParams = z.infer<typeof ToolRequestUserInputParams>;

export const ToolRequestUserInputResponse = z.object({
  answers: z.record(z.string(), ToolRequestUserInputAnswer),
}).meta({ id: "ToolRequestUserInputResponse" });
export type ToolRequestUserInputResponse = z.infer<typeof ToolRequestUserInputResponse>;
