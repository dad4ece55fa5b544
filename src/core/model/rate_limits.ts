/**
 * The rate-limit snapshot a provider reports in its response headers (`x-codex-primary-*`,
 * `x-codex-secondary-*`, `x-codex-credits-*`). A provider without them (an API key, a local
 * server) yields the empty snapshot the reference also reports in that case.
 *
 * @module
 */

import type { RateLimitSnapshot, RateLimitWindow } from "../../protocol/schema/account.ts";

/** The snapshot with nothing known, as reported for providers that send no headers. */
export function emptyRateLimits(): RateLimitSnapshot {
  return {
    limitId: "codex",
    limitName: null,
    primary: null,
    secondary: null,
    credits: null,
    planType: null,
  };
}

function num(headers: Headers, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

function windowOf(headers: Headers, which: "primary" | "secondary"): RateLimitWindow | null {
  const used = num(headers, `x-codex-${which}-used-percent`);
  if (used === null) return null;
  const resetAfter = num(headers, `x-codex-${which}-reset-after-seconds`);
  const resetAt = num(headers, `x-codex-${which}-reset-at`) ??
    (resetAfter === null ? null : Math.floor(Date.now() / 1000 + resetAfter));
  const minutes = num(headers, `x-codex-${which}-window-minutes`);
  return {
    usedPercent: Math.round(used),
    windowDurationMins: minutes === null ? null : Math.round(minutes),
    resetsAt: resetAt === null ? null : Math.floor(resetAt),
  };
}

function bool(headers: Headers, name: string): boolean | null {
  const raw = headers.get(name)?.trim().toLowerCase();
  return raw === "true" || raw === "1" ? true : raw === "false" || raw === "0" ? false : null;
}

/** The snapshot in `headers`; fields the provider does not send stay null. */
export function rateLimitsFromHeaders(headers: Headers): RateLimitSnapshot {
  const snapshot = emptyRateLimits();
  snapshot.primary = windowOf(headers, "primary");
  snapshot.secondary = windowOf(headers, "secondary");
  const hasCredits = bool(headers, "x-codex-credits-has-credits");
  if (hasCredits !== null) {
    snapshot.credits = {
      hasCredits,
      unlimited: bool(headers, "x-codex-credits-unlimited") ?? false,
      balance: headers.get("x-codex-credits-balance"),
    };
  }
  return snapshot;
}

/** The snapshot in the rollout's and the legacy events' snake_case form. */
export function diskRateLimits(s: RateLimitSnapshot): Record<string, unknown> {
  const window = (w: RateLimitWindow | null | undefined) =>
    w
      ? {
        used_percent: w.usedPercent,
        window_minutes: w.windowDurationMins ?? null,
        resets_at: w.resetsAt ?? null,
      }
      : null;
  return {
    limit_id: s.limitId ?? null,
    limit_name: s.limitName ?? null,
    primary: window(s.primary),
    secondary: window(s.secondary),
    credits: s.credits
      ? {
        has_credits: s.credits.hasCredits,
        unlimited: s.credits.unlimited,
        balance: s.credits.balance ?? null,
      }
      : null,
    plan_type: s.planType ?? null,
  };
}
