/**
 * Connector apps (`app/list`).
 *
 * @module
 */

import { z } from "zod";
import { uint32 } from "./common.ts";

export const AppBranding = z.object({
  category: z.string().nullish(),
  developer: z.string().nullish(),
  isDiscoverableApp: z.boolean(),
  privacyPolicy: z.string().nullish(),
  termsOfService: z.string().nullish(),
  website: z.string().nullish(),
}).meta({ id: "AppBranding" });
export type AppBranding = z.infer<typeof AppBranding>;

export const AppReview = z.object({
  status: z.string(),
}).meta({ id: "AppReview" });
export type AppReview = z.infer<typeof AppReview>;

export const AppScreenshot = z.object({
  fileId: z.string().nullish(),
  url: z.string().nullish(),
  userPrompt: z.string(),
}).meta({ id: "AppScreenshot" });
export type AppScreenshot = z.infer<typeof AppScreenshot>;

export const AppMetadata = z.object({
  categories: z.array(z.string()).nullish(),
  developer: z.string().nullish(),
  firstPartyRequiresInstall: z.boolean().nullish(),
  firstPartyType: z.string().nullish(),
  review: AppReview.nullish(),
  screenshots: z.array(AppScreenshot).nullish(),
  seoDescription: z.string().nullish(),
  showInComposerWhenUnlinked: z.boolean().nullish(),
  subCategories: z.array(z.string()).nullish(),
  version: z.string().nullish(),
  versionId: z.string().nullish(),
  versionNotes: z.string().nullish(),
}).meta({ id: "AppMetadata" });
export type AppMetadata = z.infer<typeof AppMetadata>;

export const AppInfo = z.object({
  appMetadata: AppMetadata.nullish(),
  branding: AppBranding.nullish(),
  description: z.string().nullish(),
  distributionChannel: z.string().nullish(),
  id: z.string(),
  installUrl: z.string().nullish(),
  isAccessible: z.boolean().default(false),
  isEnabled: z.boolean().default(true),
  labels: z.record(z.string(), z.string()).nullish(),
  logoUrl: z.string().nullish(),
  logoUrlDark: z.string().nullish(),
  name: z.string(),
}).meta({ id: "AppInfo" });
export type AppInfo = z.infer<typeof AppInfo>;

export const AppsListParams = z.object({
  cursor: z.string().nullish(),
  forceRefetch: z.boolean().optional(),
  limit: uint32().nullish(),
  threadId: z.string().nullish(),
}).meta({ id: "AppsListParams" });
export type AppsListParams = z.infer<typeof AppsListParams>;

export const AppsListResponse = z.object({
  data: z.array(AppInfo),
  nextCursor: z.string().nullish(),
}).meta({ id: "AppsListResponse" });
export type AppsListResponse = z.infer<typeof AppsListResponse>;
