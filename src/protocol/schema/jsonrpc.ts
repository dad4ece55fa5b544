/**
 * The JSON-RPC "lite" envelope (no `jsonrpc` member) and the client notification set.
 *
 * @module
 */

import { z } from "zod";
import { int64 } from "./common.ts";

export const ClientNotification = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("initialized"),
  }),
]).meta({ id: "ClientNotification" });
export type ClientNotification = z.infer<typeof ClientNotification>;

export const JSONRPCErrorError = z.object({
  code: int64(),
  data: z.unknown().optional(),
  message: z.string(),
}).meta({ id: "JSONRPCErrorError" });
export type JSONRPCErrorError = z.infer<typeof JSONRPCErrorError>;

/** String ids stay strings; integer ids are signed 64-bit on the wire. */
export const RequestId = z.union([z.string(), int64()]).meta({ id: "RequestId" });
export type RequestId = z.infer<typeof RequestId>;

export const JSONRPCError = z.object({
  error: JSONRPCErrorError,
  id: RequestId,
}).meta({ id: "JSONRPCError" });
export type JSONRPCError = z.infer<typeof JSONRPCError>;

export const JSONRPCNotification = z.object({
  method: z.string(),
  params: z.unknown().optional(),
}).meta({ id: "JSONRPCNotification" });
export type JSONRPCNotification = z.infer<typeof JSONRPCNotification>;

export const JSONRPCRequest = z.object({
  id: RequestId,
  method: z.string(),
  params: z.unknown().optional(),
}).meta({ id: "JSONRPCRequest" });
export type JSONRPCRequest = z.infer<typeof JSONRPCRequest>;

export const JSONRPCResponse = z.object({
  id: RequestId,
  result: z.unknown(),
}).meta({ id: "JSONRPCResponse" });
export type JSONRPCResponse = z.infer<typeof JSONRPCResponse>;

export const JSONRPCMessage = z.union([
  JSONRPCRequest,
  JSONRPCNotification,
  JSONRPCResponse,
  JSONRPCError,
]).meta({ id: "JSONRPCMessage" });
export type JSONRPCMessage = z.infer<typeof JSONRPCMessage>;
