/**
 * Shared helpers for the benchmarks: locating and spawning the servers (ours and the reference),
 * reading the websocket banner, a JSON-line stdio client, percentiles and process-tree RSS.
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

/** Flags every bench shares (for `parseArgs`, which rejects unknown flags so typos are caught). */
export const COMMON_FLAGS = {
  "ours-main": { type: "string" },
  "ref-bin": { type: "string" },
  "skip-ours": { type: "boolean" },
  "skip-ref": { type: "boolean" },
  "json": { type: "boolean" },
} as const;

/** Maps parsed `commonFlags()` values to `CommonOptions`. */
export function commonOptions(values: Record<string, unknown>): CommonOptions {
  return {
    oursMain: values["ours-main"] as string | undefined,
    refBin: values["ref-bin"] as string | undefined,
    skipOurs: values["skip-ours"] === true,
    skipRef: values["skip-ref"] === true,
  };
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
export function waitForBanner(server: RunningServer, timeoutMs = 20_000): Promise<string> {
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

/** A JSON-RPC message as seen on the wire (no "jsonrpc" member). */
export interface RpcMessage {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Minimal newline-delimited JSON client over a child's stdin/stdout. */
export class JsonLineClient {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending = new Map<number | string, (msg: RpcMessage) => void>();
  #encoder = new TextEncoder();
  #closed: Promise<void>;
  #nextId = 1;
  /** Called with every notification and server-to-client request, as it is read. */
  onMessage: ((msg: RpcMessage) => void) | undefined;

  constructor(private server: RunningServer) {
    this.#writer = server.child.stdin.getWriter();
    this.#closed = this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of this.server.child.stdout) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          let msg: RpcMessage;
          try {
            msg = JSON.parse(line);
          } catch {
            continue;
          }
          if (msg.id !== undefined && msg.method === undefined) {
            const resolve = this.#pending.get(msg.id);
            this.#pending.delete(msg.id);
            resolve?.(msg);
          } else {
            this.onMessage?.(msg);
          }
        }
      }
    } catch {
      // stdout torn down on kill.
    }
  }

  /** Sends a request and waits for its response (result or error), bounded by `timeoutMs`. */
  async request(method: string, params: unknown, timeoutMs = 20_000): Promise<RpcMessage> {
    const id = this.#nextId++;
    const response = new Promise<RpcMessage>((resolve, reject) => {
      this.#pending.set(id, resolve);
      this.#closed.then(() =>
        reject(
          new Error(
            `${this.server.spec.name} closed stdout before answering ${method}:\n` +
              this.server.stderrTail().slice(-1500),
          ),
        )
      );
    });
    response.catch(() => {}); // Observed below; avoids an unhandled rejection if write throws.
    await this.#writer.write(this.#encoder.encode(JSON.stringify({ id, method, params }) + "\n"));
    return withTimeout(response, timeoutMs, `${this.server.spec.name} ${method}`);
  }

  /** Sends a notification (no response expected). */
  async notify(method: string, params?: unknown): Promise<void> {
    const msg = params === undefined ? { method } : { method, params };
    await this.#writer.write(this.#encoder.encode(JSON.stringify(msg) + "\n"));
  }
}

/** The `initialize` params every bench uses (experimentalApi on, for `mock/experimentalMethod`). */
export const INITIALIZE_PARAMS = {
  clientInfo: { name: "bench", title: null, version: "1.0" },
  capabilities: { experimentalApi: true },
};

/** Throws unless `msg` is a successful `initialize` response. */
export function assertInitialized(name: string, msg: RpcMessage): void {
  const result = msg.result as { userAgent?: unknown } | undefined;
  if (msg.error || typeof result?.userAgent !== "string") {
    throw new Error(`${name}: unexpected initialize response ${JSON.stringify(msg)}`);
  }
}

/** Rejects with a labelled error if `p` does not settle in time; clears its timer either way. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Nearest-rank percentile of an unsorted sample (`q` in 0..100); NaN when empty. */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Median, for readability at call sites. */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** Minimum; NaN when empty. */
export function minimum(values: ArrayLike<number>): number {
  return values.length === 0 ? NaN : Math.min(...Array.from(values));
}

/** Formats a number for a table, showing "n/a" for NaN/undefined. */
export function fmt(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(digits);
}

/** Renders rows as a fixed-width text table (first row is the header). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, cell.length));
  }
  // Numbers right-aligned, text left-aligned.
  const numeric = (c: string) => /^(-?[\d.]+%?|n\/a|-)$/.test(c);
  const line = (row: string[]) =>
    row.map((c, i) => (numeric(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ")
      .trimEnd();
  const header = rows[0]!.map((c, i) => {
    const right = rows.slice(1).some((r) => r[i] !== undefined && numeric(r[i]!));
    return right ? c.padStart(widths[i]!) : c.padEnd(widths[i]!);
  }).join("  ").trimEnd();
  const out = [header, widths.map((w) => "-".repeat(w)).join("  ")];
  for (const row of rows.slice(1)) out.push(line(row));
  return out.join("\n");
}

/** Short description of an error for a results table. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.split("\n").map((l) => l.trim()).filter(Boolean).join(" | ").slice(0, 300);
}

/** Prints a line of results to stdout (the project lints `console` away everywhere else). */
export function print(line = ""): void {
  // deno-lint-ignore no-console
  console.log(line);
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

// --- turns against the scripted mock model ------------------------------------------------

/** Environment variable holding the (fake) API key the mock provider's `env_key` names. */
export const MOCK_KEY_ENV = "CODEX_BENCH_MOCK_KEY";

/**
 * Spawn options that point a server at the mock model: the shared `mockProviderConfig` plus an
 * `env_key` (appended to the `[model_providers.mock]` table, which is the file's last table), so
 * the reference has an API key to send and never looks for a login.
 */
export function mockSpawnOptions(mockUrl: string, opts: SpawnOptions = {}): SpawnOptions {
  return {
    ...opts,
    env: { ...opts.env, [MOCK_KEY_ENV]: "bench-not-a-secret" },
    async prepareHome(home) {
      const { mockProviderConfig } = await import("../tests/support/mock_model.ts");
      await Deno.writeTextFile(
        join(home, "config.toml"),
        mockProviderConfig(mockUrl) + `env_key = "${MOCK_KEY_ENV}"\n`,
      );
      await opts.prepareHome?.(home);
    },
  };
}

/** The streamed text of delta `i` (distinct, short, never empty). */
export function deltaText(i: number): string {
  return `t${i} `;
}

/** Total tree RSS in MB (see `treeRss`). */
export function treeRssMb(pid: number): number {
  return treeRss(pid).reduce((sum, p) => sum + p.rssKb, 0) / 1024;
}

/** JSON-RPC error code of the servers' `Server overloaded; retry later.` answers. */
const OVERLOADED_CODE = -32001;

/** True when `text` is an `item/agentMessage/delta` notification (checked without parsing). */
export function isAgentDelta(text: string): boolean {
  // Both servers put `method` first in notifications; fall back to a bounded search otherwise.
  return text.startsWith('{"method":"item/agentMessage/delta"') ||
    (!text.startsWith('{"method"') && text.slice(0, 200).includes('"item/agentMessage/delta"'));
}

/** True when `text` is a `turn/completed` notification. */
export function isTurnCompleted(text: string): boolean {
  return text.startsWith('{"method":"turn/completed"') ||
    (!text.startsWith('{"method"') && text.slice(0, 200).includes('"method":"turn/completed"'));
}

/**
 * A websocket JSON-RPC client that stays cheap under heavy notification load: notifications are
 * handed to `onText` as raw text (parse only what you need); only responses are parsed.
 */
export class BenchWs {
  readonly ws: WebSocket;
  #pending = new Map<number, (msg: RpcMessage) => void>();
  #nextId = 1;
  #closed = false;
  /** Every notification or server request, raw, with its arrival time (`performance.now()`). */
  onText: ((text: string, at: number) => void) | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.onmessage = (ev) => {
      const at = performance.now();
      const text = String(ev.data);
      if (text.startsWith('{"method"')) {
        this.onText?.(text, at);
        return;
      }
      const msg = JSON.parse(text) as RpcMessage;
      if (msg.method === undefined && typeof msg.id === "number") {
        const resolve = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        resolve?.(msg);
      } else {
        this.onText?.(text, at);
      }
    };
    ws.onclose = () => {
      this.#closed = true;
      for (const resolve of this.#pending.values()) {
        resolve({ error: { code: -1, message: "websocket closed" } });
      }
      this.#pending.clear();
    };
  }

  /** Opens a socket and completes `initialize` (with `initParams`) / `initialized`. */
  static async open(
    url: string,
    timeoutMs = 20_000,
    initParams: unknown = INITIALIZE_PARAMS,
  ): Promise<BenchWs> {
    const ws = new WebSocket(url);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = (e) => reject(new Error(`websocket error: ${(e as ErrorEvent).message ?? e}`));
      }),
      timeoutMs,
      "websocket open",
    ).catch((err) => {
      ws.close();
      throw err;
    });
    const client = new BenchWs(ws);
    // `initialize` itself can be refused with -32001 while the server is busy: retry it.
    const init = await client.#requestRetrying("initialize", initParams, timeoutMs);
    assertInitialized("websocket client", init);
    ws.send(JSON.stringify({ method: "initialized" }));
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a request and waits for its response (error responses resolve too). */
  request(method: string, params: unknown, timeoutMs = 20_000): Promise<RpcMessage> {
    if (this.#closed) return Promise.reject(new Error(`websocket closed before ${method}`));
    const id = this.#nextId++;
    const reply = new Promise<RpcMessage>((resolve) => this.#pending.set(id, resolve));
    this.ws.send(JSON.stringify({ id, method, params }));
    return withTimeout(reply, timeoutMs, method);
  }

  /** Counts `-32001 Server overloaded` answers that were retried, across all clients. */
  static overloadRetries = 0;

  async #requestRetrying(method: string, params: unknown, timeoutMs: number) {
    for (let attempt = 1;; attempt++) {
      const msg = await this.request(method, params, timeoutMs);
      if (msg.error?.code !== OVERLOADED_CODE || attempt >= 200) return msg;
      BenchWs.overloadRetries++;
      await sleep(Math.min(10 * 2 ** (attempt - 1), 200) + Math.random() * 10);
    }
  }

  /** Like `request`, but retries overload answers and throws on any other error response. */
  async call(method: string, params: unknown, timeoutMs = 20_000): Promise<unknown> {
    const msg = await this.#requestRetrying(method, params, timeoutMs);
    if (msg.error) throw new Error(`${method} failed: ${JSON.stringify(msg.error)}`);
    return msg.result;
  }

  close(): void {
    try {
      this.ws.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * A raw-TCP websocket peer that sends requests, reads just until it has their answers, and can
 * then stop reading for good, so whatever the server sends it piles up in the server's buffers
 * (the kernel's socket buffers fill within a few hundred KB).
 */
export class RawWsPeer {
  #buffer: Uint8Array = new Uint8Array(0);

  private constructor(readonly conn: Deno.TcpConn) {}

  /** Connects, upgrades and initializes. */
  static async open(port: number, timeoutMs = 10_000): Promise<RawWsPeer> {
    const conn = await withTimeout(
      Deno.connect({ hostname: "127.0.0.1", port }),
      timeoutMs,
      "raw peer connect",
    );
    const peer = new RawWsPeer(conn);
    try {
      await withTimeout(peer.#handshake(port), timeoutMs, "raw peer handshake");
      const init = await peer.request("initialize", INITIALIZE_PARAMS, timeoutMs);
      assertInitialized("raw peer", init);
      await peer.#send({ method: "initialized" });
    } catch (err) {
      peer.close();
      throw err;
    }
    return peer;
  }

  /** Sends a request and reads frames (discarding notifications) until its answer. */
  async request(method: string, params: unknown, timeoutMs = 20_000): Promise<RpcMessage> {
    const id = `raw-${method}`;
    await this.#send({ id, method, params });
    return await withTimeout(
      (async () => {
        for (let frames = 0; frames < 100_000; frames++) {
          const frame = await this.#readFrame();
          if (!frame) throw new Error(`raw peer: EOF before the answer to ${method}`);
          if (frame.opcode === 8) throw new Error(`raw peer: closed before ${method} answer`);
          if (frame.opcode !== 1) continue;
          const msg = JSON.parse(new TextDecoder().decode(frame.payload)) as RpcMessage;
          if (msg.id === id && msg.method === undefined) return msg;
        }
        throw new Error(`raw peer: no answer to ${method}`);
      })(),
      timeoutMs,
      `raw peer ${method}`,
    );
  }

  /**
   * After the stall: reads what was queued for us (bounded) and says whether the server had
   * closed the connection ("EOF" after any close frame, or "reset") or kept it open ("open").
   */
  async fate(idleMs = 1000, budgetMs = 10_000): Promise<{ fate: string; unreadBytes: number }> {
    let unread = this.#buffer.length;
    const chunk = new Uint8Array(256 * 1024);
    const deadline = performance.now() + budgetMs;
    while (performance.now() < deadline) {
      let n: number | null;
      try {
        n = await withTimeout(this.conn.read(chunk), idleMs, "idle");
      } catch (err) {
        if (err instanceof Error && err.message.includes("idle")) {
          return { fate: "open", unreadBytes: unread };
        }
        return { fate: "reset", unreadBytes: unread };
      }
      if (n === null) return { fate: "EOF", unreadBytes: unread };
      unread += n;
    }
    return { fate: "open (still sending)", unreadBytes: unread };
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  async #send(msg: unknown): Promise<void> {
    const bytes = maskedText(JSON.stringify(msg));
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  async #handshake(port: number): Promise<void> {
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const head = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    await this.conn.write(new TextEncoder().encode(head));
    for (let reads = 0; reads < 1000; reads++) {
      const end = indexOfCrlf2(this.#buffer);
      if (end >= 0) {
        const text = new TextDecoder().decode(this.#buffer.subarray(0, end));
        if (!/^HTTP\/1\.1 101/.test(text)) throw new Error(`handshake refused: ${text}`);
        this.#buffer = this.#buffer.subarray(end + 4);
        return;
      }
      if (!(await this.#fill())) throw new Error("EOF during handshake");
    }
    throw new Error("handshake response too long");
  }

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.conn.read(chunk);
    if (n === null) return false;
    this.#buffer = concatBytes(this.#buffer, chunk.subarray(0, n));
    return true;
  }

  async #readFrame(): Promise<{ opcode: number; payload: Uint8Array } | undefined> {
    for (let reads = 0; reads < 100_000; reads++) {
      const b = this.#buffer;
      if (b.length >= 2) {
        let len = b[1]! & 0x7f;
        let off = 2;
        if (len === 126 && b.length >= 4) {
          len = (b[2]! << 8) | b[3]!;
          off = 4;
        } else if (len === 127 && b.length >= 10) {
          len = Number(new DataView(b.buffer, b.byteOffset + 2, 8).getBigUint64(0));
          off = 10;
        } else if (len >= 126) {
          len = Infinity;
        }
        if (b.length >= off + len) {
          this.#buffer = b.subarray(off + len);
          return { opcode: b[0]! & 0x0f, payload: b.slice(off, off + len) };
        }
      }
      if (!(await this.#fill())) return undefined;
    }
    return undefined;
  }
}

function indexOfCrlf2(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A masked client text frame. */
function maskedText(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const len = payload.length;
  const header = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + len);
  frame[0] = 0x81;
  if (len < 126) frame[1] = 0x80 | len;
  else if (len < 65536) {
    frame[1] = 0x80 | 126;
    frame[2] = len >> 8;
    frame[3] = len & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(len));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, header);
  for (let i = 0; i < len; i++) frame[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}
