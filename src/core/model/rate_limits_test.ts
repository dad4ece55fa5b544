import assert from "node:assert/strict";
import { diskRateLimits, emptyRateLimits, rateLimitsFromHeaders } from "./rate_limits.ts";

Deno.test("rateLimitsFromHeaders: no headers gives the empty snapshot", () => {
  assert.deepEqual(rateLimitsFromHeaders(new Headers()), emptyRateLimits());
  assert.deepEqual(diskRateLimits(emptyRateLimits()), {
    limit_id: "codex",
    limit_name: null,
    primary: null,
    secondary: null,
    credits: null,
    plan_type: null,
  });
});

Deno.test("rateLimitsFromHeaders: windows and credits", () => {
  const s = rateLimitsFromHeaders(
    new Headers({
      "x-codex-primary-used-percent": "42.6",
      "x-codex-primary-window-minutes": "300",
      "x-codex-primary-reset-at": "1767225600",
      "x-codex-secondary-used-percent": "7",
      "x-codex-credits-has-credits": "true",
      "x-codex-credits-unlimited": "false",
      "x-codex-credits-balance": "12.5",
    }),
  );
  assert.deepEqual(s.primary, { usedPercent: 43, windowDurationMins: 300, resetsAt: 1767225600 });
  assert.deepEqual(s.secondary, { usedPercent: 7, windowDurationMins: null, resetsAt: null });
  assert.deepEqual(s.credits, { hasCredits: true, unlimited: false, balance: "12.5" });
});
