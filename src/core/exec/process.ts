/**
 * Runs agent commands: each in its own process group (so a kill reaches everything it
 * started), output decoded as it streams and captured with a head/tail cap, timeouts and
 * aborts, optionally inside the bubblewrap sandbox. {@link spawnProcess} is the shared
 * core that unified exec sessions also use.
 *
 * @module
 */

import {
  looksSandboxDenied,
  type SandboxSpec,
  SandboxUnavailableError,
  whichOnPath,
  wrapArgv,
} from "./sandbox.ts";
import { HeadTailBuffer, utf8Length } from "./head_tail.ts";

/** How long pipes may stay open after the main process exited (background children). */
const DRAIN_AFTER_EXIT_MS = 100;
const DEFAULT_CAPTURE_BYTES = 1024 * 1024;
/** Bytes read from a command's pipe at a time. */
const READ_BUFFER_BYTES = 64 * 1024;

/** Options for {@link runCommand}. */
export interface RunOptions {
  /** argv[0] is looked up on the PATH of `env`. */
  argv: string[];
  cwd: string;
  /** The complete environment (nothing is inherited). */
  env: Record<string, string>;
  /** Default none; when not none the caller passes bwrapPath. */
  sandbox?: SandboxSpec;
  bwrapPath?: string;
  timeoutMs?: number | null;
  /** Abort kills the whole process group. */
  signal?: AbortSignal;
  /** Decoded text chunks as they arrive (UTF-8 never split). */
  onOutput?: (chunk: string, stream: "stdout" | "stderr") => void;
  /** Per stream kept in memory (default 1 MiB): head and tail halves; onOutput sees all. */
  maxCaptureBytes?: number;
  /** Default "null"; "piped" gives the child a pipe that is closed at once (EOF). */
  stdin?: "null" | "piped";
  /**
   * Awaited after each chunk of output: while it is pending no more output is read, so the
   * command blocks on a full pipe instead of the server buffering without bound.
   */
  pace?: () => Promise<void>;
}

/** What a finished command did. */
export interface RunResult {
  /** A signal gives 128 + its number; a timeout reports the kill status with timedOut. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order (same cap). */
  aggregated: string;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  sandboxDenied: boolean;
  pid: number;
}

/** The command could not be started at all (missing program or working directory). */
export class SpawnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpawnError";
  }
}

/** What {@link spawnProcess} needs. */
export interface SpawnOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  sandbox?: SandboxSpec;
  bwrapPath?: string;
  stdin?: "null" | "piped";
  pace?: () => Promise<void>;
}

/** A running process group. */
export interface SpawnedProcess {
  readonly pid: number;
  /** Present when stdin is piped; closed by us once the process exited. */
  readonly stdin: WritableStreamDefaultWriter<Uint8Array> | null;
  /** The exit code, once the process exited and its pipes drained or were abandoned. */
  readonly finished: Promise<number>;
  /** SIGKILL to the whole group; harmless when it is already gone. */
  killGroup(): void;
}

function resolveProgram(argv0: string, cwd: string, pathVar: string | undefined): string | null {
  if (argv0.includes("/")) {
    const full = argv0.startsWith("/") ? argv0 : `${cwd.replace(/\/+$/, "")}/${argv0}`;
    try {
      return Deno.statSync(full).isFile ? full : null;
    } catch {
      return null;
    }
  }
  return whichOnPath(argv0, pathVar);
}

/**
 * `setsid(1)`, looked up once. Starting a command through it gives it its own session and
 * process group as cheaply as a plain spawn; Deno's `detached` option does the same but
 * costs a full fork of the server process (1 to 2 ms per command, measured). Without it,
 * `detached` is the fallback.
 */
let setsidPath: string | null | undefined;
function setsid(): string | null {
  setsidPath ??= whichOnPath("setsid", Deno.env.get("PATH") ?? "/usr/bin:/bin") ??
    whichOnPath("setsid", "/usr/bin:/bin");
  return setsidPath;
}

/** Kills of every process group still running, so the server can stop them as it exits. */
const liveGroups = new Set<() => void>();

/**
 * Kills every process group this process started that is still running. Groups are
 * detached, so without this an exiting server would leave its commands behind.
 */
export function killAllProcessGroups(): void {
  for (const kill of liveGroups) kill();
  liveGroups.clear();
}

/**
 * Spawns `argv` detached (own session and process group) with piped output, decoding each
 * stream with its own streaming decoder. Once the main process exits, pipes get
 * {@link DRAIN_AFTER_EXIT_MS} to drain; after that the group is killed and reading stops,
 * so a background child holding the pipes cannot stall us.
 */
export function spawnProcess(
  opts: SpawnOptions,
  onChunk: (text: string, stream: "stdout" | "stderr", bytes: number) => void,
): SpawnedProcess {
  const argv0 = opts.argv[0];
  if (argv0 === undefined || argv0 === "") {
    throw new SpawnError("failed to start '': empty command");
  }
  try {
    if (!Deno.statSync(opts.cwd).isDirectory) throw new Error("not a directory");
  } catch {
    throw new SpawnError(
      `failed to start '${argv0}': working directory '${opts.cwd}' does not exist`,
    );
  }
  const program = resolveProgram(argv0, opts.cwd, opts.env["PATH"]);
  if (program === null) {
    throw new SpawnError(`failed to start '${argv0}': No such file or directory`);
  }
  const spec = opts.sandbox ?? { kind: "none" };
  // A bare name stays bare: bwrap (execvp) and Deno both search the env's PATH, and bwrap
  // then keeps argv[0] as given, so messages read "touch: ..." and not "/usr/bin/touch: ...".
  let full = [argv0.includes("/") ? program : argv0, ...opts.argv.slice(1)];
  if (spec.kind !== "none") {
    if (!opts.bwrapPath) throw new SandboxUnavailableError("no bwrap path was given");
    full = wrapArgv(full, spec, opts.bwrapPath, opts.cwd);
  }
  const session = setsid();
  if (session) full = [session, ...full];
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(full[0] as string, {
      args: full.slice(1),
      cwd: opts.cwd,
      env: opts.env,
      clearEnv: true,
      detached: session === null,
      stdin: opts.stdin ?? "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SpawnError(`failed to start '${argv0}': ${reason}`);
  }
  const pid = child.pid;
  // A kill also releases reads held back by `pace`, so the pipes drain and the run ends.
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => release = resolve);
  const killGroup = () => {
    release();
    try {
      Deno.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  liveGroups.add(killGroup);
  const stdin = opts.stdin === "piped" ? child.stdin.getWriter() : null;
  // BYOB readers fill one buffer per stream again and again, instead of a fresh one per read.
  const readers = [
    child.stdout.getReader({ mode: "byob" }),
    child.stderr.getReader({ mode: "byob" }),
  ] as const;
  // Reads held back by `pace` are not a stuck pipe: the drain below waits for them.
  let pacing = 0;
  const pace = async () => {
    if (!opts.pace) return;
    pacing++;
    try {
      await Promise.race([opts.pace(), released]);
    } finally {
      pacing--;
    }
  };
  const pump = async (
    reader: ReadableStreamBYOBReader,
    stream: "stdout" | "stderr",
  ) => {
    const decoder = new TextDecoder();
    let buffer = new ArrayBuffer(READ_BUFFER_BYTES);
    const emit = (text: string) => {
      if (text === "") return;
      try {
        onChunk(text, stream, utf8Length(text));
      } catch {
        // a failing listener must not stop the capture
      }
    };
    try {
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done || !value) break;
        emit(decoder.decode(value, { stream: true }));
        buffer = value.buffer as ArrayBuffer;
        await pace();
      }
    } catch {
      // cancelled or broken pipe: keep what we have
    }
    emit(decoder.decode());
  };
  const pumps = Promise.all([pump(readers[0], "stdout"), pump(readers[1], "stderr")]);
  const finished = (async () => {
    const status = await child.status;
    if (stdin) stdin.close().catch(() => {});
    let drained = false;
    do {
      let timer: ReturnType<typeof setTimeout> | undefined;
      drained = await Promise.race([
        pumps.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), DRAIN_AFTER_EXIT_MS);
        }),
      ]);
      clearTimeout(timer);
    } while (!drained && pacing > 0);
    if (!drained) {
      killGroup();
      await Promise.all(readers.map((r) => r.cancel().catch(() => {})));
      await pumps;
    }
    liveGroups.delete(killGroup);
    return status.code;
  })();
  return { pid, stdin, finished, killGroup };
}

/**
 * Runs a command to completion. Timeout and abort SIGKILL the whole process group; the
 * result reports which happened.
 */
export async function runCommand(opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const cap = opts.maxCaptureBytes ?? DEFAULT_CAPTURE_BYTES;
  const out = new HeadTailBuffer(cap);
  const err = new HeadTailBuffer(cap);
  const agg = new HeadTailBuffer(cap);
  const spec: SandboxSpec = opts.sandbox ?? { kind: "none" };
  const proc = spawnProcess(
    {
      argv: opts.argv,
      cwd: opts.cwd,
      env: opts.env,
      sandbox: spec,
      bwrapPath: opts.bwrapPath,
      stdin: opts.stdin ?? "null",
      pace: opts.pace,
    },
    (text, stream, bytes) => {
      (stream === "stdout" ? out : err).push(text, bytes);
      agg.push(text, bytes);
      opts.onOutput?.(text, stream);
    },
  );
  if (proc.stdin) proc.stdin.close().catch(() => {});
  let timedOut = false;
  let aborted = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (typeof opts.timeoutMs === "number" && Number.isFinite(opts.timeoutMs)) {
    timer = setTimeout(() => {
      timedOut = true;
      proc.killGroup();
    }, Math.max(0, opts.timeoutMs));
  }
  const onAbort = () => {
    aborted = true;
    proc.killGroup();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  let exitCode: number;
  try {
    exitCode = await proc.finished;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
  const aggregated = agg.render();
  return {
    exitCode,
    stdout: out.render(),
    stderr: err.render(),
    aggregated,
    durationMs: performance.now() - started,
    timedOut,
    aborted,
    sandboxDenied: !timedOut && !aborted && looksSandboxDenied(spec, exitCode, aggregated),
    pid: proc.pid,
  };
}
