/**
 * Accounts, login flows and rate limits (`account/*`).
 *
 * @module
 */

import { z } from "zod";
import { int32, int64 } from "./common.ts";

export const PlanType = z.enum([
  "free",
  "go",
  "plus",
  "pro",
  "team",
  "business",
  "enterprise",
  "edu",
  "unknown",
]).meta({ id: "PlanType" });
export type PlanType = z.infer<typeof PlanType>;

export const Account = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("apiKey"),
  }),
  z.object({
    email: z.string(),
    planType: PlanType,
    type: z.literal("chatgpt"),
  }),
]).meta({ id: "Account" });
export type Account = z.infer<typeof Account>;

export const AuthMode = z.enum(["apikey", "chatgpt", "chatgptAuthTokens"]).meta({ id: "AuthMode" });
export type AuthMode = z.infer<typeof AuthMode>;

export const CancelLoginAccountParams = z.object({
  loginId: z.string(),
}).meta({ id: "CancelLoginAccountParams" });
export type CancelLoginAccountParams = z.infer<typeof CancelLoginAccountParams>;

export const CancelLoginAccountStatus = z.enum(["canceled", "notFound"]).meta({
  id: "CancelLoginAccountStatus",
});
export type CancelLoginAccountStatus = z.infer<typeof CancelLoginAccountStatus>;

export const CancelLoginAccountResponse = z.object({
  status: CancelLoginAccountStatus,
}).meta({ id: "CancelLoginAccountResponse" });
export type CancelLoginAccountResponse = z.infer<typeof CancelLoginAccountResponse>;

export const CreditsSnapshot = z.object({
  balance: z.string().nullish(),
  hasCredits: z.boolean(),
  unlimited: z.boolean(),
}).meta({ id: "CreditsSnapshot" });
export type CreditsSnapshot = z.infer<typeof CreditsSnapshot>;

export const GetAccountParams = z.object({
  refreshToken: z.boolean().default(false),
}).meta({ id: "GetAccountParams" });
export type GetAccountParams = z.infer<typeof GetAccountParams>;

export const RateLimitWindow = z.object({
  resetsAt: int64().nullish(),
  usedPercent: int32(),
  windowDurationMins: int64().nullish(),
}).meta({ id: "RateLimitWindow" });
export type RateLimitWindow = z.infer<typeof RateLimitWindow>;

export const RateLimitSnapshot = z.object({
  credits: CreditsSnapshot.nullish(),
  limitId: z.string().nullish(),
  limitName: z.string().nullish(),
  planType: PlanType.nullish(),
  primary: RateLimitWindow.nullish(),
  secondary: RateLimitWindow.nullish(),
}).meta({ id: "RateLimitSnapshot" });
export type RateLimitSnapshot = z.infer<typeof RateLimitSnapshot>;

export const GetAccountRateLimitsResponse = z.object({
  rateLimits: RateLimitSnapshot,
  rateLimitsByLimitId: z.record(z.string(), RateLimitSnapshot).nullish(),
}).meta({ id: "GetAccountRateLimitsResponse" });
export type GetAccountRateLimitsResponse = z.infer<typeof GetAccountRateLimitsResponse>;

export const GetAccountResponse = z.object({
  account: Account.nullish(),
  requiresOpenaiAuth: z.boolean(),
}).meta({ id: "GetAccountResponse" });
export type GetAccountResponse = z.infer<typeof GetAccountResponse>;

export const LoginAccountParams = z.discriminatedUnion("type", [
  z.object({
    apiKey: z.string(),
    type: z.literal("apiKey"),
  }),
  z.object({
    type: z.literal("chatgpt"),
  }),
  z.object({
    accessToken: z.string(),
    chatgptAccountId: z.string(),
    chatgptPlanType: z.string().nullish(),
    type: z.literal("chatgptAuthTokens"),
  }),
]).meta({ id: "LoginAccountParams" });
export type LoginAccountParams = z.infer<typeof LoginAccountParams>;

export const LoginAccountResponse = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("apiKey"),
  }),
  z.object({
    authUrl: z.string(),
    loginId: z.string(),
    type: z.literal("chatgpt"),
  }),
  z.object({
    type: z.literal("chatgptAuthTokens"),
  }),
]).meta({ id: "LoginAccountResponse" });
export type LoginAccountResponse = z.infer<typeof LoginAccountResponse>;

export const LogoutAccountResponse = z.object({}).meta({ id: "LogoutAccountResponse" });
export type LogoutAccountResponse = z.infer<typeof LogoutAccountResponse>;
