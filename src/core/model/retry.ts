/**
 * Timing helpers for retries: exponential backoff with jitter, `retry-after` parsing and
 * sleeps that an interrupt cuts short.
 *
 * The reference waits about 200 ms, 400 ms, 800 ms … (±10 %) between attempts; we use the
 * same curve so retry storms against a shared provider look alike, and cap it so a long
 * retry chain never sleeps for minutes.
 *
 * @module
 */

/** Tuning of {@linkcode backoffMs}. */
export interface BackoffPolicy {
  /** Delay before the first retry. */
  baseMs: number;
  /** Longest single delay. */
  maxMs: number;
  /** Relative spread: 0.1 means ±10 %. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 30_000, jitter: 0.1 };

/** Longest `retry-after` we honour; beyond it the provider is effectively down. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Delay before retry number `attempt` (1-based). */
export function backoffMs(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exp = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  const spread = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.round(Math.min(exp, policy.maxMs) * spread);
}

/**
 * The delay a response asks for: `retry-after-ms`, or `retry-after` as seconds or an HTTP
 * date. Null when absent or unusable; clamped to {@linkcode MAX_RETRY_AFTER_MS}.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | null {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return clamp(Number(ms));
  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return clamp(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : clamp(date - now);
}

function clamp(ms: number): number {
  return Math.round(Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error an aborted signal stands for (its reason, or a standard `AbortError`). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}
