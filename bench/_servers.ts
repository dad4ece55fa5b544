/**
 * Starting, stopping and measuring the servers under test (ours and the reference): locating
 * them, spawning each with a private `CODEX_HOME`, reading the websocket banner, and killing,
 * and measuring the RSS and CPU of, a server's whole process tree.
 *
 * Everything here is bounded by timeouts so a hung server can never hang a benchmark.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** How to start one server under test. */
export interface ServerSpec {
  /** Short label used in tables. */
  name: string;
  cmd: string;
  args: string[];
}

/** Project root, so `main.ts` is found whatever the cwd. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** The prebuilt reference copy, used when npm cannot install one into `.cache/`. */
const FALLBACK_REFERENCE = "/tmp/ref105/node_modules/.bin/codex";

/** Options common to every benchmark's command line. */
export interface CommonOptions {
  /** Path to our `main.ts` (default: the project's). */
  oursMain?: string;
  /** Path to the reference `codex` binary (default: `ensureReference()`). */
  refBin?: string;
  skipOurs?: boolean;
  skipRef?: boolean;
  /** Also run the reference's native binary directly, without its node wrapper. */
  native?: boolean;
}

/** Our server, as it will be launched in production. */
export function oursSpec(main = join(PROJECT_ROOT, "main.ts")): ServerSpec {
  return { name: "ours", cmd: Deno.execPath(), args: ["run", "--allow-all", main, "app-server"] };
}

/** Resolves the reference binary: explicit path, then `ensureReference()`, then the /tmp copy. */
export async function referenceBin(explicit?: string): Promise<string> {
  if (explicit) return explicit;
  const env = Deno.env.get("CODEX_REF_BIN");
  if (env) return env;
  try {
    // Imported by computed URL so a type error in tools/ can't break `deno check` of the benches.
    const url = new URL("../tools/reference.ts", import.meta.url).href;
    const mod: { ensureReference(version?: string): Promise<string> } = await import(url);
    return await withTimeout(mod.ensureReference(), 180_000, "installing the reference");
  } catch (err) {
    if (await exists(FALLBACK_REFERENCE)) return FALLBACK_REFERENCE;
    throw err;
  }
}

/**
 * Finds the native binary behind the npm wrapper (`bin/codex.js` spawns it), so we can tell how
 * much of the reference's cost is node itself.
 */
export async function referenceNativeBin(bin: string): Promise<string | undefined> {
  try {
    const real = await Deno.realPath(bin);
    // .../node_modules/@openai/codex/bin/codex.js -> .../node_modules/@openai
    const scope = dirname(dirname(dirname(real)));
    for await (const entry of Deno.readDir(scope)) {
      if (!entry.name.startsWith("codex-")) continue;
      const vendor = join(scope, entry.name, "vendor");
      for await (const triple of Deno.readDir(vendor)) {
        const candidate = join(vendor, triple.name, "codex", "codex");
        if (await exists(candidate)) return candidate;
      }
    }
  } catch {
    // No native package layout we recognise; the wrapper alone is measured.
  }
  return undefined;
}

/** The servers to compare, in a stable order: ours first, then the reference (and native). */
export async function resolveServers(opts: CommonOptions): Promise<ServerSpec[]> {
  const specs: ServerSpec[] = [];
  if (!opts.skipOurs) specs.push(oursSpec(opts.oursMain));
  if (!opts.skipRef) {
    const bin = await referenceBin(opts.refBin);
    specs.push({ name: "reference", cmd: bin, args: ["app-server"] });
    if (opts.native) {
      const native = await referenceNativeBin(bin);
      if (native) specs.push({ name: "ref-native", cmd: native, args: ["app-server"] });
    }
  }
  return specs;
}

/** A running server process with its private `CODEX_HOME`. */
export interface RunningServer {
  spec: ServerSpec;
  child: Deno.ChildProcess;
  pid: number;
  codexHome: string;
  /** `performance.now()` just before the spawn, for cold-start timing. */
  spawnedAt: number;
  /** Last few KB of stderr, for error messages. */
  stderrTail(): string;
  /** Resolves when the process exits. */
  exited: Promise<Deno.CommandStatus>;
  /** Subscribes to stderr text (called first with what was already seen); returns unsubscribe. */
  onStderr(fn: (chunk: string) => void): () => void;
  /** Kills the whole process tree and removes `CODEX_HOME`; safe to call twice. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Extra arguments, e.g. `["--listen", "ws://127.0.0.1:0"]`. */
  extraArgs?: string[];
  /** Pipe stdin/stdout for the JSON-line client (stdio mode). */
  stdio?: boolean;
  /** Extra environment variables (on top of the inherited ones and `CODEX_HOME`). */
  env?: Record<string, string>;
  /** Fills the fresh `CODEX_HOME` (config, rollouts) before the server starts. */
  prepareHome?: (home: string) => Promise<void>;
  /** Use this existing `CODEX_HOME` and leave it in place on `stop()` (the caller removes it). */
  codexHome?: string;
  /** Working directory of the server process (default: this process's). */
  cwd?: string;
}

/** Spawns a server with a fresh `CODEX_HOME`; stderr is always drained so it can't block. */
export async function spawnServer(
  spec: ServerSpec,
  opts: SpawnOptions = {},
): Promise<RunningServer> {
  const codexHome = opts.codexHome ?? await Deno.makeTempDir({ prefix: "codex-bench-" });
  const ownsHome = opts.codexHome === undefined;
  if (opts.prepareHome) {
    try {
      await opts.prepareHome(codexHome);
    } catch (err) {
      if (ownsHome) await Deno.remove(codexHome, { recursive: true }).catch(() => {});
      throw err;
    }
  }
  const spawnedAt = performance.now();
  const child = new Deno.Command(spec.cmd, {
    args: [...spec.args, ...(opts.extraArgs ?? [])],
    cwd: opts.cwd,
    env: { ...opts.env, CODEX_HOME: codexHome },
    stdin: opts.stdio ? "piped" : "null",
    stdout: opts.stdio ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  return wrapChild(spec, child, codexHome, spawnedAt, ownsHome);
}

function wrapChild(
  spec: ServerSpec,
  child: Deno.ChildProcess,
  codexHome: string,
  spawnedAt: number,
  ownsHome = true,
): RunningServer {
  let tail = "";
  const stderrListeners = new Set<(chunk: string) => void>();
  // Drain stderr forever (until exit) so a chatty server never blocks on a full pipe.
  (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of child.stderr) {
        const text = decoder.decode(chunk, { stream: true });
        tail = (tail + text).slice(-4096);
        for (const fn of stderrListeners) fn(text);
      }
    } catch {
      // Stream torn down on kill.
    }
  })();
  const exited = child.status;
  let stopped = false;
  return {
    spec,
    child,
    pid: child.pid,
    codexHome,
    spawnedAt,
    stderrTail: () => tail,
    exited,
    onStderr(fn) {
      stderrListeners.add(fn);
      fn(tail);
      return () => stderrListeners.delete(fn);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await killTree(child.pid, exited);
      if (ownsHome) await Deno.remove(codexHome, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Sends SIGTERM to the process and all its descendants (the reference is a node wrapper around a
 * native binary, ours may be a wrapper too), then SIGKILL to whatever is left after a grace period.
 */
export async function killTree(pid: number, exited: Promise<unknown>): Promise<void> {
  const pids = [pid, ...descendants(pid)];
  for (const p of pids) signal(p, "SIGTERM");
  const done = await withTimeout(exited.then(() => true), 1500, "exit").catch(() => false);
  for (const p of done ? pids.slice(1) : pids) {
    if (alive(p)) signal(p, "SIGKILL");
  }
  if (!done) await withTimeout(exited, 3000, "exit after SIGKILL").catch(() => {});
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Parent pid of every process, from /proc/<pid>/stat (no /proc children file on this kernel). */
function parentMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue;
    }
    // The comm field may contain spaces or parens; fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ppid = Number(rest[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry.name));
    children.set(ppid, list);
  }
  return children;
}

/** All descendants of `pid`, breadth first. */
export function descendants(pid: number): number[] {
  const children = parentMap();
  const out: number[] = [];
  const queue = [pid];
  const seen = new Set(queue);
  while (queue.length > 0 && out.length < 10_000) {
    for (const c of children.get(queue.shift()!) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** One process's resident memory. */
export interface ProcRss {
  pid: number;
  comm: string;
  rssKb: number;
}

/** VmRSS of `pid` and every descendant (kB); processes that vanish mid-read are skipped. */
export function treeRss(pid: number): ProcRss[] {
  const out: ProcRss[] = [];
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const status = Deno.readTextFileSync(`/proc/${p}/status`);
      const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      const comm = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? "?";
      out.push({ pid: p, comm, rssKb: rss ? Number(rss[1]) : 0 });
    } catch {
      // Exited between listing and reading.
    }
  }
  return out;
}

/** Sum of the processes' RSS in MB. */
export function sumRssMb(procs: readonly ProcRss[]): number {
  return procs.reduce((sum, p) => sum + p.rssKb, 0) / 1024;
}

/** Total tree RSS in MB (see `treeRss`). */
export function treeRssMb(pid: number): number {
  return sumRssMb(treeRss(pid));
}

/**
 * CPU seconds (user + system) consumed so far by `pid` and its live descendants, from
 * /proc/<pid>/stat; assumes the usual 100 clock ticks per second.
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${p}/stat`);
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime are fields 14 and 15; `rest` starts at field 3.
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // Exited between listing and reading.
    }
  }
  return ticks / 100;
}

/** Waits for the websocket banner on stderr and returns the `ws://127.0.0.1:<port>` URL. */
function waitForBanner(server: RunningServer, timeoutMs = 20_000): Promise<string> {
  let seen = "";
  let unsubscribe = () => {};
  const found = new Promise<string>((resolve, reject) => {
    unsubscribe = server.onStderr((chunk) => {
      seen = (seen + chunk).slice(-8192);
      // Strip ANSI colour codes in case the banner is styled.
      // deno-lint-ignore no-control-regex
      const plain = seen.replace(/\x1b\[[0-9;]*m/g, "");
      const m = /listening on:\s*(ws:\/\/127\.0\.0\.1:\d+)/.exec(plain);
      if (m) resolve(m[1]!);
    });
    server.exited.then((st) =>
      reject(
        new Error(`${server.spec.name} exited (code ${st.code}) before its banner:\n${tail()}`),
      )
    );
  });
  const tail = () => server.stderrTail().slice(-1500);
  return withTimeout(found, timeoutMs, `${server.spec.name} banner`).finally(() => unsubscribe());
}

/** Arguments that make a server listen on a websocket at a free loopback port. */
export const WS_LISTEN_ARGS: readonly string[] = ["--listen", "ws://127.0.0.1:0"];

/** The loopback websocket URL and port a server started with `WS_LISTEN_ARGS` announced. */
export async function waitForListen(server: RunningServer): Promise<{ url: string; port: number }> {
  const url = await waitForBanner(server);
  const { hostname, port } = new URL(url);
  if (hostname !== "127.0.0.1") throw new Error(`refusing non-loopback banner URL ${url}`);
  return { url, port: Number(port) };
}

/** Rejects with a labelled error if `p` does not settle in time; clears its timer either way. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when `path` can be stat'ed. */
function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}
