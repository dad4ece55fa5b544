/**
 * The `initialize` handshake: client identity, capabilities and the server's answer.
 *
 * @module
 */

import { z } from "zod";
import { AbsolutePathBuf } from "./common.ts";

export const ClientInfo = z.object({
  name: z.string(),
  title: z.string().nullish(),
  version: z.string(),
}).meta({ id: "ClientInfo" });
export type ClientInfo = z.infer<typeof ClientInfo>;

export const InitializeCapabilities = z.object({
  experimentalApi: z.boolean().default(false),
  optOutNotificationMethods: z.array(z.string()).nullish(),
}).meta({ id: "InitializeCapabilities" });
export type InitializeCapabilities = z.infer<typeof InitializeCapabilities>;

export const InitializeParams = z.object({
  capabilities: InitializeCapabilities.nullish(),
  clientInfo: ClientInfo,
}).meta({ id: "InitializeParams" });
export type InitializeParams = z.infer<typeof InitializeParams>;

/**
 * 0.105 answers with `userAgent` only; `codexHome` and the platform fields come from later
 * versions (0.169) and are sent because newer clients rely on them.
 */
export const InitializeResponse = z.object({
  codexHome: AbsolutePathBuf,
  platformFamily: z.string(),
  platformOs: z.string(),
  userAgent: z.string(),
}).meta({ id: "InitializeResponse" });
export type InitializeResponse = z.infer<typeof InitializeResponse>;
