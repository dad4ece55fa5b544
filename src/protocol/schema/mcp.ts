/**
 * MCP server status and OAuth login (`mcpServer*`).
 *
 * @module
 */

import { z } from "zod";
import { int64, uint32 } from "./common.ts";

export const ListMcpServerStatusParams = z.object({
  cursor: z.string().nullish(),
  limit: uint32().nullish(),
}).meta({ id: "ListMcpServerStatusParams" });
export type ListMcpServerStatusParams = z.infer<typeof ListMcpServerStatusParams>;

export const McpAuthStatus = z.enum(["unsupported", "notLoggedIn", "bearerToken", "oAuth"]).meta({
  id: "McpAuthStatus",
});
export type McpAuthStatus = z.infer<typeof McpAuthStatus>;

export const Resource = z.object({
  _meta: z.unknown().optional(),
  annotations: z.unknown().optional(),
  description: z.string().nullish(),
  icons: z.array(z.unknown()).nullish(),
  mimeType: z.string().nullish(),
  name: z.string(),
  size: int64().nullish(),
  title: z.string().nullish(),
  uri: z.string(),
}).meta({ id: "Resource" });
export type Resource = z.infer<typeof Resource>;

export const ResourceTemplate = z.object({
  annotations: z.unknown().optional(),
  description: z.string().nullish(),
  mimeType: z.string().nullish(),
  name: z.string(),
  title: z.string().nullish(),
  uriTemplate: z.string(),
}).meta({ id: "ResourceTemplate" });
export type ResourceTemplate = z.infer<typeof ResourceTemplate>;

export const Tool = z.object({
  _meta: z.unknown().optional(),
  annotations: z.unknown().optional(),
  description: z.string().nullish(),
  icons: z.array(z.unknown()).nullish(),
  inputSchema: z.unknown(),
  name: z.string(),
  outputSchema: z.unknown().optional(),
  title: z.string().nullish(),
}).meta({ id: "Tool" });
export type Tool = z.infer<typeof Tool>;

export const McpServerStatus = z.object({
  authStatus: McpAuthStatus,
  name: z.string(),
  resourceTemplates: z.array(ResourceTemplate),
  resources: z.array(Resource),
  tools: z.record(z.string(), Tool),
}).meta({ id: "McpServerStatus" });
export type McpServerStatus = z.infer<typeof McpServerStatus>;

export const ListMcpServerStatusResponse = z.object({
  data: z.array(McpServerStatus),
  nextCursor: z.string().nullish(),
}).meta({ id: "ListMcpServerStatusResponse" });
export type ListMcpServerStatusResponse = z.infer<typeof ListMcpServerStatusResponse>;

export const McpServerOauthLoginParams = z.object({
  name: z.string(),
  scopes: z.array(z.string()).nullish(),
  timeoutSecs: int64().nullish(),
}).meta({ id: "McpServerOauthLoginParams" });
export type McpServerOauthLoginParams = z.infer<typeof McpServerOauthLoginParams>;

export const McpServerOauthLoginResponse = z.object({
  authorizationUrl: z.string(),
}).meta({ id: "McpServerOauthLoginResponse" });
export type McpServerOauthLoginResponse = z.infer<typeof McpServerOauthLoginResponse>;

export const McpServerRefreshResponse = z.object({}).meta({ id: "McpServerRefreshResponse" });
export type McpServerRefreshResponse = z.infer<typeof McpServerRefreshResponse>;
