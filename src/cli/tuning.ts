/**
 * Operational limits, overridable through environment variables (documented in the README)
 * so operators and tests can tighten them without new flags.
 *
 * @module
 */

import { DEFAULT_INBOUND_CAPACITY } from "../server/connection.ts";
import { DEFAULT_THREAD_IDLE_UNLOAD_MS } from "../server/thread_reaper.ts";
import { DEFAULT_OUTBOUND_LIMITS, type OutboundLimits } from "../transport/outbound_budget.ts";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../transport/stdio.ts";
import { UsageError } from "./output.ts";

/** Limits in force for one server process. */
export interface Tuning {
  maxMessageBytes: number;
  inboundCapacity: number;
  outbound: OutboundLimits;
  /** How long a loaded thread may sit unused (no subscriber, no turn) before it is unloaded. */
  threadIdleUnloadMs: number;
}

/** Reads the `CODEX_APP_SERVER_*` limits, falling back to the defaults. */
export function readTuning(env: Record<string, string | undefined> = Deno.env.toObject()): Tuning {
  const num = (name: string, fallback: number) => {
    const raw = env[`CODEX_APP_SERVER_${name}`];
    if (raw === undefined || raw.trim() === "") return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new UsageError(`CODEX_APP_SERVER_${name} must be a positive integer, got '${raw}'`);
    }
    return value;
  };
  const d = DEFAULT_OUTBOUND_LIMITS;
  return {
    maxMessageBytes: num("MAX_MESSAGE_BYTES", DEFAULT_MAX_MESSAGE_BYTES),
    inboundCapacity: num("INBOUND_QUEUE_CAPACITY", DEFAULT_INBOUND_CAPACITY),
    threadIdleUnloadMs: num("THREAD_IDLE_UNLOAD_MS", DEFAULT_THREAD_IDLE_UNLOAD_MS),
    outbound: {
      socketWindowBytes: num("WS_SOCKET_WINDOW_BYTES", d.socketWindowBytes),
      softLimitBytes: num("WS_SOFT_LIMIT_BYTES", d.softLimitBytes),
      maxQueuedBytes: num("WS_MAX_QUEUED_BYTES", d.maxQueuedBytes),
      maxQueuedMessages: num("WS_MAX_QUEUED_MESSAGES", d.maxQueuedMessages),
      stallTimeoutMs: num("WS_STALL_TIMEOUT_MS", d.stallTimeoutMs),
    },
  };
}
