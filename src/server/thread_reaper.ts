/**
 * Unloads threads nobody uses, as later Codex does: a loaded thread with no subscriber and no
 * running turn for the idle period (30 minutes by default) is closed, which frees its history
 * and its open rollout file. A long-lived server embedding many short sessions would otherwise
 * keep every thread it ever touched in memory.
 *
 * A thread counts as idle from the moment it is seen without subscribers and turn; any
 * subscriber or turn resets that, so a thread that a client re-attached to is never reaped by
 * a stale observation.
 *
 * @module
 */

import { getLogger } from "../log/logger.ts";
import type { ServerContext } from "./context.ts";

const log = getLogger("codex_app_server::thread_reaper");

/** Default idle time before an unused thread is unloaded. */
export const DEFAULT_THREAD_IDLE_UNLOAD_MS = 30 * 60 * 1000;

/** Periodically unloads idle, unsubscribed threads. */
export class ThreadReaper {
  readonly #server: ServerContext;
  readonly #idleMs: number;
  readonly #idleSince = new Map<string, number>();
  #timer: number | null = null;
  #sweeping = false;

  constructor(server: ServerContext, idleMs: number = DEFAULT_THREAD_IDLE_UNLOAD_MS) {
    this.#server = server;
    this.#idleMs = idleMs;
  }

  /** Starts checking, a few times per idle period (at most once a minute). */
  start(): void {
    if (this.#timer !== null) return;
    const every = Math.max(10, Math.min(60_000, Math.floor(this.#idleMs / 4)));
    const timer = setInterval(() => void this.sweep(), every) as unknown as number;
    // The reaper alone must not keep the process alive.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One pass: notes newly idle threads and unloads those idle for long enough. */
  async sweep(now: number = Date.now()): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      const { threads, subscriptions } = this.#server;
      const loaded = new Set(threads.ids());
      for (const id of this.#idleSince.keys()) if (!loaded.has(id)) this.#idleSince.delete(id);
      for (const id of loaded) {
        const busy = threads.get(id)?.active != null || subscriptions.subscribers(id).length > 0;
        if (busy) {
          this.#idleSince.delete(id);
          continue;
        }
        const since = this.#idleSince.get(id);
        if (since === undefined) this.#idleSince.set(id, now);
        else if (now - since >= this.#idleMs) {
          this.#idleSince.delete(id);
          log.info("unloading idle thread", { thread_id: id });
          await threads.unload(id);
        }
      }
    } catch (error) {
      log.warn("idle thread sweep failed", { error: String(error) });
    } finally {
      this.#sweeping = false;
    }
  }
}
