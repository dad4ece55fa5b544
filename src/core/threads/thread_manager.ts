/**
 * The loaded threads of one process, keyed by id. It creates threads, starts and interrupts
 * turns, derives each thread's status, and reports everything as typed events to one
 * listener (the server routes them). No JSON-RPC here.
 *
 * @module
 */

import { CLI_VERSION } from "../version.ts";
import { newThreadId } from "../rollout/thread_id.ts";
import { RolloutWriter } from "../rollout/rollout_writer.ts";
import { formatRecordTimestamp, type SessionMetaPayload } from "../rollout/rollout_format.ts";
import type { StreamOptions } from "../model/responses_client.ts";
import type { Turn } from "../../protocol/schema/thread.ts";
import type { ThreadStatus } from "../../protocol/schema/thread.ts";
import type { UserInput } from "../../protocol/schema/user_input.ts";
import { deriveStatus, LiveThread, sameStatus, type ThreadSettings } from "./thread.ts";
import { runTurn, type ThreadEvent, type TurnHost } from "./turn_runner.ts";
import { runCompactionTurn } from "./compaction.ts";

export type { ThreadEvent };

/** Why a turn could not be started or interrupted; the message is user-facing. */
export class ThreadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThreadRequestError";
  }
}

/** What one `turn/start` changes: settings that stay, and the output schema of this turn. */
export interface TurnOverrides {
  settings?: Partial<ThreadSettings>;
  outputSchema?: Record<string, unknown> | null;
}

/** What runs as a turn: a normal turn or a compaction; it must never throw. */
type TurnBody = (
  host: TurnHost,
  turn: Turn,
  signal: AbortSignal,
  onStopped: () => void,
) => Promise<void>;

/** Options of {@linkcode ThreadManager}. */
export interface ThreadManagerOptions {
  codexHome: string;
  identity: StreamOptions["identity"];
  env?: StreamOptions["env"];
  /** Called after a turn ended and its records were written. */
  onTurnEnded?: (thread: LiveThread) => void;
}

/** The base instructions: ours, short and honest. */
export const BASE_INSTRUCTIONS = [
  "You are a coding agent running inside a Codex-compatible app server.",
  "You help the user with software engineering tasks in their workspace.",
  "Be accurate and concise. Say plainly when you are unsure or cannot do something;",
  "never claim to have run a command, read a file or changed anything unless you did.",
  "The user's environment (working directory, approval policy, sandbox, shell) is described",
  "in an <environment_context> message.",
].join("\n");

/** Loaded threads and their turns. */
export class ThreadManager {
  readonly #threads = new Map<string, LiveThread>();
  readonly #opts: ThreadManagerOptions;
  readonly #loading = new Map<string, Promise<LiveThread>>();
  readonly #unloading = new Map<string, Promise<void>>();
  #listener: (event: ThreadEvent) => void = () => {};
  #clients: Pick<TurnHost, "ask" | "pace"> = {
    ask: () =>
      Promise.resolve({
        kind: "cancelled",
        reason: "no client can answer requests in this process",
      }),
    pace: () => Promise.resolve(),
  };

  constructor(opts: ThreadManagerOptions) {
    this.#opts = opts;
  }

  /** Sets the one listener of every thread event. */
  setListener(listener: (event: ThreadEvent) => void): void {
    this.#listener = listener;
  }

  /** Sets how a thread's clients are asked and paced (the server's routing). */
  setClientBridge(clients: Pick<TurnHost, "ask" | "pace">): void {
    this.#clients = clients;
  }

  /** A loaded thread, or undefined. */
  get(threadId: string): LiveThread | undefined {
    return this.#threads.get(threadId);
  }

  /** Ids of loaded threads, oldest first. */
  ids(): string[] {
    return [...this.#threads.keys()];
  }

  /** The live status of a thread (`notLoaded` when not loaded). */
  status(threadId: string): ThreadStatus {
    const t = this.#threads.get(threadId);
    return t ? deriveStatus(t.status) : { type: "notLoaded" };
  }

  /**
   * Creates and loads a thread; its status becomes `idle` (emitted). The rollout file is
   * written at the first user message.
   */
  start(
    settings: Omit<ThreadSettings, "baseInstructions"> & { baseInstructions?: string | null },
  ): LiveThread {
    const now = new Date();
    const id = newThreadId(now.getTime());
    const meta: SessionMetaPayload = {
      id,
      timestamp: formatRecordTimestamp(now),
      cwd: settings.cwd,
      originator: this.#opts.identity.originator,
      cli_version: CLI_VERSION,
      source: "vscode",
      model_provider: settings.provider.id,
      base_instructions: { text: settings.baseInstructions ?? BASE_INSTRUCTIONS },
    };
    // Kept with the thread so a resumed thread offers the same client tools.
    if (settings.dynamicTools?.length) {
      meta.dynamic_tools = settings.dynamicTools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.inputSchema,
      }));
    }
    const writer = RolloutWriter.create(this.#opts.codexHome, meta, {
      ephemeral: settings.ephemeral ?? false,
    });
    const thread = new LiveThread(meta, writer, {
      ...settings,
      baseInstructions: settings.baseInstructions ?? BASE_INSTRUCTIONS,
    });
    this.#threads.set(id, thread);
    this.#refresh(thread);
    return thread;
  }

  /**
   * Loads a stored thread with `loader` unless it is loaded already, and registers it; its
   * status becomes `idle` (emitted). Concurrent loads of one id share the first one, so two
   * clients resuming at once end up on the same thread; only that first load is `cold`.
   */
  async load(
    threadId: string,
    loader: () => Promise<LiveThread>,
  ): Promise<{ thread: LiveThread; cold: boolean }> {
    await this.#unloading.get(threadId);
    const loaded = this.#threads.get(threadId);
    if (loaded) return { thread: loaded, cold: false };
    const pending = this.#loading.get(threadId);
    if (pending) return { thread: await pending, cold: false };
    const load = loader().then(async (thread) => {
      const existing = this.#threads.get(thread.id);
      if (existing) {
        // Loaded under its own id (e.g. through a path) meanwhile: keep the first one.
        await thread.writer.close();
        return existing;
      }
      this.#threads.set(thread.id, thread);
      this.#refresh(thread);
      return thread;
    }).finally(() => this.#loading.delete(threadId));
    this.#loading.set(threadId, load);
    const thread = await load;
    return { thread, cold: true };
  }

  /**
   * Starts a turn. The returned turn is `inProgress`; the run begins on a later macrotask,
   * so a reply sent by the caller meanwhile goes out before `turn/started`.
   */
  startTurn(threadId: string, input: UserInput[], overrides: TurnOverrides = {}): Turn {
    const thread = this.#threads.get(threadId);
    if (!thread) throw new ThreadRequestError(`thread not found: ${threadId}`);
    if (input.length === 0) throw new ThreadRequestError("input must not be empty");
    if (thread.active) {
      throw new ThreadRequestError(
        `a turn is already running on thread ${threadId} (turn ${thread.active.turn.id}); use turn/steer to add input`,
      );
    }
    // Applied only once the turn is sure to start; they stay for later turns.
    Object.assign(thread.settings, overrides.settings ?? {});
    return this.#launch(
      thread,
      { steerable: true, outputSchema: overrides.outputSchema ?? null },
      (host, turn, signal, stop) => runTurn(host, thread, turn, input, signal, stop),
    );
  }

  /**
   * Starts a compaction turn (`thread/compact/start`, §5.7): a real turn of the thread, so
   * another turn is refused while it runs and `turn/interrupt` stops it, but its body is the
   * compaction. Steering is refused: no model call of it would see the input.
   */
  startCompaction(threadId: string): Turn {
    const thread = this.#threads.get(threadId);
    if (!thread) throw new ThreadRequestError(`thread not found: ${threadId}`);
    if (thread.active) {
      throw new ThreadRequestError(
        `failed to start compaction: a turn is already running on thread ${threadId} (turn ${thread.active.turn.id})`,
      );
    }
    return this.#launch(
      thread,
      { steerable: false },
      (host, turn, signal, stop) => runCompactionTurn(host, thread, turn, signal, stop),
    );
  }

  /**
   * Makes a new turn the thread's active one and runs `body` on a later macrotask, so a reply
   * sent by the caller meanwhile goes out before the turn's events. Shared by every kind of
   * turn, so they all block, interrupt and end alike.
   */
  #launch(
    thread: LiveThread,
    opts: { steerable: boolean; outputSchema?: Record<string, unknown> | null },
    body: TurnBody,
  ): Turn {
    // UUIDv7, like the reference's turn ids: they sort by start time.
    const turn: Turn = { id: newThreadId(), items: [], status: "inProgress", error: null };
    const abort = new AbortController();
    let finish: () => void = () => {};
    const done = new Promise<void>((r) => finish = r);
    let stop: () => void = () => {};
    const stopped = new Promise<void>((r) => stop = r);
    thread.active = {
      turn,
      abort,
      done,
      stopped,
      started: false,
      open: new Map(),
      running: new Map(),
      pending: [],
      steerable: opts.steerable,
      outputSchema: opts.outputSchema ?? null,
    };
    setTimeout(() => {
      body(this.#host(), turn, abort.signal, stop).finally(() => {
        stop();
        thread.active = null;
        finish();
        this.#opts.onTurnEnded?.(thread);
      });
    }, 0);
    return { ...turn };
  }

  /** Aborts the running turn `turnId`; resolves once it has stopped. */
  async interrupt(threadId: string, turnId: string): Promise<void> {
    const thread = this.#threads.get(threadId);
    if (!thread) throw new ThreadRequestError(`thread not found: ${threadId}`);
    const active = thread.active;
    if (!active) throw new ThreadRequestError(`no active turn to interrupt on thread ${threadId}`);
    if (active.turn.id !== turnId) {
      throw new ThreadRequestError(
        `expected active turn id \`${turnId}\` but found \`${active.turn.id}\``,
      );
    }
    active.abort.abort(new DOMException("turn interrupted", "AbortError"));
    await active.stopped;
  }

  /**
   * Queues `input` for the running turn `expectedTurnId`; the runner records it and sends it
   * to the model before its next call. Returns the turn id.
   */
  steer(threadId: string, input: UserInput[], expectedTurnId: string): string {
    const thread = this.#threads.get(threadId);
    if (!thread) throw new ThreadRequestError(`thread not found: ${threadId}`);
    if (input.length === 0) throw new ThreadRequestError("input must not be empty");
    const active = thread.active;
    if (!active || !active.steerable) throw new ThreadRequestError("no active turn to steer");
    if (active.turn.id !== expectedTurnId) {
      throw new ThreadRequestError(
        `expected active turn id \`${expectedTurnId}\` but found \`${active.turn.id}\``,
      );
    }
    active.pending.push(input);
    return active.turn.id;
  }

  /**
   * Unloads a thread: a running turn is interrupted first, the rollout is flushed and closed,
   * and the thread reports `notLoaded` and then `threadClosed`. A load of the same id waits
   * for this to finish, so it reads a complete rollout. False when it was not loaded.
   */
  async unload(threadId: string): Promise<boolean> {
    const thread = this.#threads.get(threadId);
    if (!thread) return false;
    const closing = (async () => {
      const active = thread.active;
      if (active) {
        active.abort.abort(new DOMException("thread unloaded", "AbortError"));
        await active.done;
      }
      this.#threads.delete(threadId);
      await thread.execSessions.killAll().catch(() => {});
      await thread.writer.close().catch(() => false);
      thread.status.loaded = false;
      this.#refresh(thread);
      this.#listener({ kind: "threadClosed", threadId });
    })();
    this.#unloading.set(threadId, closing);
    try {
      await closing;
    } finally {
      this.#unloading.delete(threadId);
    }
    return true;
  }

  /** Waits for every running turn (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#threads.values()].map((t) => t.active?.done));
  }

  #host(): TurnHost {
    return {
      emit: (event) => this.#listener(event),
      refreshStatus: (thread) => this.#refresh(thread),
      ask: (threadId, ask) => this.#clients.ask(threadId, ask),
      pace: (threadId) => this.#clients.pace(threadId),
      codexHome: this.#opts.codexHome,
      identity: this.#opts.identity,
      env: this.#opts.env,
    };
  }

  #refresh(thread: LiveThread): void {
    const next = deriveStatus(thread.status);
    if (sameStatus(next, thread.lastStatus)) return;
    thread.lastStatus = next;
    this.#listener({ kind: "statusChanged", threadId: thread.id, status: next });
  }
}
