/**
 * Unified exec: long-running processes the model starts with `exec_command` and later
 * polls or feeds with `write_stdin`. Each poll returns the output produced since the
 * previous one. Stdin is a plain pipe: there is no PTY in Deno, so `tty` is not supported
 * (programs see a non-terminal stdin/stdout and may buffer or refuse interactive mode).
 *
 * @module
 */

import { type RunOptions, type SpawnedProcess, spawnProcess } from "./process.ts";
import { HeadTailBuffer } from "./head_tail.ts";

/** One poll of a session. */
export interface ExecPoll {
  /** null once the process has exited (the session is then removed). */
  sessionId: number | null;
  exitCode: number | null;
  /** Output since the previous poll, interleaved, capped with head, marker and tail. */
  output: string;
  /** Bytes before capping. */
  originalBytes: number;
  wallTimeMs: number;
  pid: number;
}

/** How to start a session (same spawning and sandbox as {@link RunOptions}). */
export interface SessionStartOptions extends Omit<RunOptions, "stdin" | "onOutput" | "timeoutMs"> {
  /** Wait up to this long for exit before returning (clamped to 250..30000). */
  yieldTimeMs: number;
  /** Default 64 KiB per poll. */
  maxOutputBytes?: number;
  /** Every chunk as it arrives, for streaming to clients. */
  onOutput?: (chunk: string) => void;
  onExit?: (exitCode: number) => void;
}

/** A write or poll named a session that does not exist (never did, or exited). */
export class UnknownSessionError extends Error {
  constructor(id: number) {
    super(`unknown session id ${id}`);
    this.name = "UnknownSessionError";
  }
}

const MIN_YIELD_MS = 250;
const MAX_YIELD_MS = 30_000;
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
/** Unpolled output kept per session: a poll can never ask for more than this usefully. */
const PENDING_CAP_BYTES = 1024 * 1024;
const FIRST_SESSION_ID = 1000;

interface Session {
  id: number;
  proc: SpawnedProcess;
  pending: HeadTailBuffer;
  onOutput: ((chunk: string) => void) | null;
  exitCode: number | null;
  lastUsed: number;
}

function clampYield(ms: number): number {
  if (!Number.isFinite(ms)) return MIN_YIELD_MS;
  return Math.min(MAX_YIELD_MS, Math.max(MIN_YIELD_MS, ms));
}

/** Sessions of one thread; the oldest-used is killed when a new one would exceed the limit. */
export class ExecSessions {
  readonly #maxSessions: number;
  readonly #sessions = new Map<number, Session>();
  #nextId = FIRST_SESSION_ID;
  #clock = 0;

  constructor(opts: { maxSessions?: number } = {}) {
    this.#maxSessions = Math.max(1, opts.maxSessions ?? 64);
  }

  get size(): number {
    return this.#sessions.size;
  }

  has(id: number): boolean {
    return this.#sessions.has(id);
  }

  pidOf(id: number): number | undefined {
    return this.#sessions.get(id)?.proc.pid;
  }

  /** Re-targets streaming when a later tool call polls the session; unknown ids are ignored. */
  setOnOutput(id: number, fn: ((chunk: string) => void) | null): void {
    const session = this.#sessions.get(id);
    if (session) session.onOutput = fn;
  }

  /** Starts a process and returns its first poll; early when it exits before yieldTimeMs. */
  async start(opts: SessionStartOptions): Promise<ExecPoll> {
    const started = performance.now();
    while (this.#sessions.size >= this.#maxSessions) this.#evictOldest();
    // Output can only arrive once spawnProcess has returned and `ref.s` is set.
    const ref: { s?: Session } = {};
    const proc = spawnProcess(
      {
        argv: opts.argv,
        cwd: opts.cwd,
        env: opts.env,
        sandbox: opts.sandbox,
        bwrapPath: opts.bwrapPath,
        stdin: "piped",
        pace: opts.pace,
      },
      (text, _stream, bytes) => {
        // The session swaps in a fresh buffer at every poll.
        ref.s?.pending.push(text, bytes);
        try {
          ref.s?.onOutput?.(text);
        } catch {
          // a failing listener must not lose output
        }
      },
    );
    const s: Session = {
      id: this.#nextId++,
      proc,
      pending: new HeadTailBuffer(PENDING_CAP_BYTES),
      onOutput: opts.onOutput ?? null,
      exitCode: null,
      lastUsed: ++this.#clock,
    };
    ref.s = s;
    this.#sessions.set(s.id, s);
    const onAbort = () => proc.killGroup();
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
    proc.finished.then((code) => {
      opts.signal?.removeEventListener("abort", onAbort);
      s.exitCode = code;
      try {
        opts.onExit?.(code);
      } catch {
        // the listener's problem
      }
    });
    await this.#wait(s, opts.yieldTimeMs);
    return this.#poll(s, opts.maxOutputBytes, started);
  }

  /** Writes `chars` (UTF-8; "" just polls) and waits yieldTimeMs or until exit. */
  async write(
    sessionId: number,
    chars: string,
    yieldTimeMs: number,
    maxOutputBytes?: number,
  ): Promise<ExecPoll> {
    const started = performance.now();
    const s = this.#sessions.get(sessionId);
    if (!s) throw new UnknownSessionError(sessionId);
    s.lastUsed = ++this.#clock;
    if (chars !== "" && s.exitCode === null && s.proc.stdin) {
      const written = s.proc.stdin.write(new TextEncoder().encode(chars)).catch(() => {});
      // A full pipe must not outlive the process.
      await Promise.race([written, s.proc.finished]);
    }
    await this.#wait(s, yieldTimeMs);
    return this.#poll(s, maxOutputBytes, started);
  }

  /** Kills every process group and waits for them to exit. */
  async killAll(): Promise<void> {
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    for (const s of all) s.proc.killGroup();
    await Promise.all(all.map((s) => s.proc.finished.catch(() => {})));
  }

  async #wait(s: Session, yieldTimeMs: number): Promise<void> {
    if (s.exitCode !== null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      s.proc.finished.catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, clampYield(yieldTimeMs));
      }),
    ]);
    clearTimeout(timer);
    // Let the exit bookkeeping (a `.then` on finished) run before we look at it.
    await Promise.resolve();
  }

  #poll(s: Session, maxOutputBytes: number | undefined, started: number): ExecPoll {
    const max = Math.max(0, Math.floor(maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES));
    const output = s.pending.render(max);
    const originalBytes = s.pending.totalBytes;
    s.pending = new HeadTailBuffer(PENDING_CAP_BYTES);
    const exited = s.exitCode !== null;
    if (exited) this.#sessions.delete(s.id);
    return {
      sessionId: exited ? null : s.id,
      exitCode: s.exitCode,
      output,
      originalBytes,
      wallTimeMs: performance.now() - started,
      pid: s.proc.pid,
    };
  }

  #evictOldest(): void {
    let oldest: Session | undefined;
    for (const s of this.#sessions.values()) {
      if (!oldest || s.lastUsed < oldest.lastUsed) oldest = s;
    }
    if (!oldest) return;
    this.#sessions.delete(oldest.id);
    oldest.proc.killGroup();
  }
}
