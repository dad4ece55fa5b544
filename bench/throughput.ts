/**
 * Websocket throughput: N connections each pipelining M `mock/experimentalMethod` requests with a
 * bounded window, while one extra connection initializes and then never reads again (it keeps
 * sending large requests so its responses pile up). Shows requests/s, latency, how often the
 * server pushed back with `-32001 Server overloaded`, and whether the stalled peer was cut off
 * (a server that buffers for it forever, or blocks on it, is the failure we look for).
 *
 * Usage: deno run --allow-all bench/throughput.ts [--connections 100] [--requests 1000]
 *        [--window 16] [--timeout-ms 60000] [--slow-requests 2000] [--slow-payload-kb 32]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { backoffMs, INITIALIZE_PARAMS, OVERLOADED_CODE, type RpcMessage } from "./_rpc.ts";
import { FrameScanner, RawWsPeer } from "./_raw_ws.ts";
import { fmt, num, percentile, print, printTable, runCli } from "./_report.ts";
import { inSequence, measureServer } from "./_runs.ts";
import {
  type CommonOptions,
  resolveServers,
  type ServerSpec,
  sleep,
  treeCpuSeconds,
  treeRssMb,
  waitForListen,
  withTimeout,
  WS_LISTEN_ARGS,
} from "./_servers.ts";

export interface ThroughputOptions extends CommonOptions {
  connections?: number;
  requests?: number;
  /** Requests in flight per connection. */
  window?: number;
  /** Hard limit for the load phase of one server. */
  timeoutMs?: number;
  /** Requests the stalled connection sends (it never reads the answers). */
  slowRequests?: number;
  /** Size of the echoed value in each stalled request, so its unread answers fill buffers fast. */
  slowPayloadKb?: number;
}

export interface ThroughputResult {
  name: string;
  connections: number;
  requestsPerConnection: number;
  window: number;
  completed: number;
  /** Requests abandoned: retry budget exhausted, wrong answer, or their connection closed. */
  failed: number;
  overloads: number;
  /** Error responses other than overload. */
  otherErrors: number;
  /** Load connections the server closed before they finished. */
  droppedConnections: number;
  seconds: number;
  requestsPerSecond: number;
  /** From first send to successful answer, including overload retries. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  timedOut: boolean;
  /** Server CPU seconds (whole tree) spent during the load phase. */
  serverCpuSeconds: number;
  /** Server tree RSS right after the load phase, MB. */
  serverRssMb: number;
  slow: SlowReport;
  error?: string;
}

/** What happened to the connection that stopped reading. */
export interface SlowReport {
  initialized: boolean;
  /** False when the run failed before we could check the connection's state. */
  checked: boolean;
  requestsWritten: number;
  /** True when the server closed it (close frame, EOF or reset). */
  disconnected: boolean;
  /** How the disconnect was observed, e.g. "write failed", "close frame 1008", "EOF". */
  how: string;
  /** Seconds after the stall began that the disconnect was first seen; NaN if not seen. */
  afterSeconds: number;
  /** Unread bytes that were waiting for us when we finally drained it. */
  drainedBytes: number;
  /** Seconds spent building the backlog before the load started. */
  setupSeconds: number;
  /** The server stopped reading from it (a write blocked for over a second). */
  writeBlocked: boolean;
}

const MAX_RETRIES = 200;

/** Runs the throughput comparison, one server after another. */
export async function runThroughput(opts: ThroughputOptions = {}): Promise<ThroughputResult[]> {
  return inSequence(await resolveServers(opts), (spec) => runOne(spec, opts));
}

function runOne(spec: ServerSpec, opts: ThroughputOptions): Promise<ThroughputResult> {
  const connections = clamp(opts.connections ?? 100, 1, 2000);
  const requests = clamp(opts.requests ?? 1000, 1, 1_000_000);
  const window = clamp(opts.window ?? 16, 1, 1024);
  const timeoutMs = clamp(opts.timeoutMs ?? 60_000, 1000, 600_000);
  const slowRequests = clamp(opts.slowRequests ?? 2000, 0, 100_000);
  const slowPayload = "s".repeat(clamp(opts.slowPayloadKb ?? 32, 1, 1024) * 1024);

  const result: ThroughputResult = {
    name: spec.name,
    connections,
    requestsPerConnection: requests,
    window,
    completed: 0,
    failed: 0,
    overloads: 0,
    otherErrors: 0,
    droppedConnections: 0,
    seconds: NaN,
    requestsPerSecond: NaN,
    p50Ms: NaN,
    p99Ms: NaN,
    maxMs: NaN,
    timedOut: false,
    serverCpuSeconds: NaN,
    serverRssMb: NaN,
    slow: {
      initialized: false,
      checked: false,
      requestsWritten: 0,
      disconnected: false,
      how: "-",
      afterSeconds: NaN,
      drainedBytes: 0,
      setupSeconds: NaN,
      writeBlocked: false,
    },
  };

  const spawnOptions = { extraArgs: [...WS_LISTEN_ARGS] };
  return measureServer(spec, result, spawnOptions, async (server) => {
    const sockets: WebSocket[] = [];
    let slow: StalledPeer | undefined;
    try {
      const { url, port } = await waitForListen(server);

      // The stalled peer goes first so its backlog builds up while the real load runs.
      slow = await StalledPeer.open(port, result.slow);
      slow.startWriting(slowRequests, slowPayload);
      await slow.waitStalled(10_000);

      const opened = await withTimeout(
        Promise.all(Array.from({ length: connections }, () => openInitialized(url, sockets))),
        30_000,
        `${spec.name}: opening ${connections} websocket connections`,
      );

      const latencies = new Float64Array(connections * requests);
      const stats = { completed: 0, failed: 0, overloads: 0, otherErrors: 0, dropped: 0 };
      const cpuBefore = treeCpuSeconds(server.pid);
      const start = performance.now();
      let end = start;
      const loads = opened.map((ws, c) =>
        driveConnection(ws, c, requests, window, latencies, stats).then(() => {
          end = performance.now();
        })
      );
      const all = Promise.all(loads);
      try {
        await withTimeout(all, timeoutMs, "load");
      } catch {
        result.timedOut = true;
        end = performance.now();
      }
      result.serverCpuSeconds = treeCpuSeconds(server.pid) - cpuBefore;
      result.serverRssMb = treeRssMb(server.pid);

      const done = latencies.subarray(0, stats.completed);
      result.completed = stats.completed;
      result.failed = stats.failed + (connections * requests - stats.completed - stats.failed);
      result.overloads = stats.overloads;
      result.otherErrors = stats.otherErrors;
      result.droppedConnections = stats.dropped;
      result.seconds = (end - start) / 1000;
      result.requestsPerSecond = stats.completed / result.seconds;
      result.p50Ms = percentile(done, 50);
      result.p99Ms = percentile(done, 99);
      result.maxMs = done.length ? done.reduce((a, b) => Math.max(a, b), 0) : NaN;

      await slow.finish();
    } finally {
      for (const ws of sockets) {
        try {
          ws.close();
        } catch {
          // Already closed.
        }
      }
      slow?.abort();
    }
  }, false);
}

/** Opens a websocket and completes `initialize`; the socket is registered for cleanup first. */
async function openInitialized(url: string, sockets: WebSocket[]): Promise<WebSocket> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = (e) => reject(new Error(`websocket error: ${(e as ErrorEvent).message ?? e}`));
    ws.onclose = () => reject(new Error("websocket closed before open"));
  });
  // `initialize` itself can be refused with -32001 while the server is busy: retry it too.
  for (let attempt = 1; attempt <= MAX_RETRIES; attempt++) {
    const init = new Promise<RpcMessage>((resolve, reject) => {
      ws.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data)) as RpcMessage;
        if (msg.id === 0 && msg.method === undefined) resolve(msg);
      };
      ws.onclose = () => reject(new Error("websocket closed during initialize"));
    });
    ws.send(JSON.stringify({ id: 0, method: "initialize", params: INITIALIZE_PARAMS }));
    const msg = await init;
    if (msg.error?.code === OVERLOADED_CODE) {
      await sleep(backoffMs(attempt));
      continue;
    }
    if (msg.error) throw new Error(`initialize failed: ${JSON.stringify(msg.error)}`);
    ws.send(JSON.stringify({ method: "initialized" }));
    return ws;
  }
  throw new Error(`initialize still overloaded after ${MAX_RETRIES} retries`);
}

interface LoadStats {
  completed: number;
  failed: number;
  overloads: number;
  otherErrors: number;
  dropped: number;
}

/**
 * Keeps `window` requests in flight on one connection until `total` are answered. Overloaded
 * requests are resent after a short, growing backoff, keeping their original start time.
 */
function driveConnection(
  ws: WebSocket,
  conn: number,
  total: number,
  window: number,
  latencies: Float64Array,
  stats: LoadStats,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const pending = new Map<number, { start: number; attempts: number }>();
    let nextSeq = 1;
    let settled = 0;
    let finished = false;
    const timers = new Set<ReturnType<typeof setTimeout>>();

    const finish = () => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      resolve();
    };
    const send = (id: number) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(
        `{"id":${id},"method":"mock/experimentalMethod","params":{"value":"c${conn}-${id}"}}`,
      );
    };
    const pump = () => {
      while (pending.size < window && nextSeq <= total) {
        const id = nextSeq++;
        pending.set(id, { start: performance.now(), attempts: 0 });
        send(id);
      }
      if (settled >= total) finish();
    };
    const settleFailed = (id: number) => {
      pending.delete(id);
      stats.failed++;
      settled++;
    };

    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as RpcMessage;
      if (typeof msg.id !== "number" || msg.method !== undefined) return;
      const p = pending.get(msg.id);
      if (!p) return;
      if (msg.error) {
        if (msg.error.code === OVERLOADED_CODE) {
          stats.overloads++;
          p.attempts++;
          if (p.attempts > MAX_RETRIES) {
            settleFailed(msg.id);
            pump();
            return;
          }
          const id = msg.id;
          const delay = backoffMs(p.attempts);
          const t = setTimeout(() => {
            timers.delete(t);
            send(id);
          }, delay);
          timers.add(t);
          return;
        }
        stats.otherErrors++;
        settleFailed(msg.id);
        pump();
        return;
      }
      const echoed = (msg.result as { echoed?: unknown } | undefined)?.echoed;
      if (echoed !== `c${conn}-${msg.id}`) {
        stats.otherErrors++;
        settleFailed(msg.id);
        pump();
        return;
      }
      latencies[stats.completed++] = performance.now() - p.start;
      pending.delete(msg.id);
      settled++;
      pump();
    };
    ws.onclose = () => {
      if (finished) return;
      stats.dropped++;
      stats.failed += total - settled;
      settled = total;
      finish();
    };
    pump();
  });
}

/**
 * The connection that stops reading: a `RawWsPeer` (so "never reads" is literal) that, after the
 * `initialize` answer, only writes until `finish()`.
 */
class StalledPeer {
  #stallStart = 0;
  #writeStartedAt: number | undefined;
  #writerDone = false;
  #writing: Promise<void> = Promise.resolve();
  #stop = false;

  private constructor(private peer: RawWsPeer, private report: SlowReport) {}

  static async open(port: number, report: SlowReport): Promise<StalledPeer> {
    const peer = new StalledPeer(await RawWsPeer.open(port, 10_000, "stalled peer"), report);
    report.initialized = true;
    return peer;
  }

  /** Starts sending `count` big requests without ever reading; stops at the first write error. */
  startWriting(count: number, payload: string): void {
    this.#stallStart = performance.now();
    this.#writing = (async () => {
      try {
        for (let i = 0; i < count && !this.#stop; i++) {
          const req = { id: i + 1, method: "mock/experimentalMethod", params: { value: payload } };
          this.#writeStartedAt = performance.now();
          try {
            await this.peer.send(req);
          } catch (err) {
            if (!this.#stop) this.#markDisconnected(`write failed (${errorName(err)})`);
            return;
          }
          this.#writeStartedAt = undefined;
          this.report.requestsWritten++;
        }
      } finally {
        this.#writerDone = true;
      }
    })();
  }

  /**
   * Waits until the stall is established before the load starts, so overload answers (which
   * are tiny) can't keep it from filling the server's buffers: until the server cut us off, a
   * write has been blocked for a second (it stopped reading us), or all requests went out.
   */
  async waitStalled(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.report.disconnected || this.#writerDone) break;
      const started = this.#writeStartedAt;
      if (started !== undefined && performance.now() - started > 1000) {
        this.report.writeBlocked = true;
        break;
      }
      await sleep(50);
    }
    this.report.setupSeconds = (performance.now() - this.#stallStart) / 1000;
  }

  #markDisconnected(how: string): void {
    if (this.report.disconnected) return;
    this.report.disconnected = true;
    this.report.how = how;
    this.report.afterSeconds = (performance.now() - this.#stallStart) / 1000;
  }

  /**
   * Ends the stall: stops writing, then drains what the server queued for us to learn whether
   * it closed the connection (close frame / EOF / reset) or was still holding it open.
   */
  async finish(): Promise<void> {
    this.#stop = true;
    // A write blocked on a full socket cannot be cancelled; reading below unblocks it.
    const held = this.peer.takeBuffered();
    let frames = new FrameScanner();
    frames.push(held);
    let close: number | undefined;
    const d = await this.peer.drain(2000, 20_000, (chunk) => {
      close = frames.push(chunk);
      if (close !== undefined) return true;
      if (frames.bytesHeld > 1 << 20) frames = new FrameScanner();
      return false;
    });
    if (d.end === "idle") {
      // Still open and quiet: the server kept the connection.
      if (!this.report.disconnected) this.report.how = "still open";
    } else if (d.end === "error") this.#markDisconnected(`read failed (${errorName(d.error)})`);
    else if (d.end === "eof") this.#markDisconnected("EOF");
    else if (d.end === "stopped") this.#markDisconnected(`close frame ${close}`);
    this.report.drainedBytes = held.length + d.bytes;
    this.report.checked = true;
    await withTimeout(this.#writing, 5000, "stalled writer").catch(() => {});
  }

  abort(): void {
    this.#stop = true;
    this.peer.close();
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : String(err);
}

function clamp(value: number, lo: number, hi: number): number {
  return Number.isFinite(value) ? Math.max(lo, Math.min(hi, Math.floor(value))) : lo;
}

/** Prints results as a table, plus the stalled connection's fate. */
export function printThroughput(results: ThroughputResult[]): void {
  const title = (first: ThroughputResult) =>
    `websocket throughput: ${first.connections} connections x ${first.requestsPerConnection} ` +
    `mock/experimentalMethod, window ${first.window}, + 1 non-reading connection`;
  printTable(title, results, [
    ["server", (r) => r.name],
    ["req/s", (r) => fmt(r.requestsPerSecond, 0)],
    ["p50 ms", (r) => fmt(r.p50Ms, 2)],
    ["p99 ms", (r) => fmt(r.p99Ms, 2)],
    ["max ms", (r) => fmt(r.maxMs, 1)],
    ["done", (r) => String(r.completed)],
    ["failed", (r) => String(r.failed)],
    ["overloads", (r) => String(r.overloads)],
    ["cpu s", (r) => fmt(r.serverCpuSeconds, 2)],
    ["rss MB", (r) => fmt(r.serverRssMb, 1)],
    ["stalled peer", (r) => slowSummary(r.slow)],
  ]);
  for (const r of results) {
    const notes = [];
    if (r.timedOut) notes.push("load phase TIMED OUT");
    if (r.droppedConnections) notes.push(`${r.droppedConnections} load connections dropped`);
    if (r.otherErrors) notes.push(`${r.otherErrors} non-overload errors`);
    if (r.error) notes.push(`ERROR ${r.error}`);
    if (notes.length) print(`  ${r.name}: ${notes.join("; ")}`);
  }
}

/** One-cell description of the stalled connection's fate. */
export function slowSummary(s: SlowReport): string {
  if (!s.initialized) return "not initialized";
  if (!s.checked && !s.disconnected) return `unknown (run failed); sent ${s.requestsWritten}`;
  const fate = s.disconnected
    ? `disconnected (${s.how}, ${fmt(s.afterSeconds, 2)}s)`
    : `NOT disconnected`;
  const blocked = s.writeBlocked ? ", server stopped reading it" : "";
  const unread = fmt(s.drainedBytes / 1048576, 1);
  return `${fate}; sent ${s.requestsWritten}${blocked}, unread ${unread} MB`;
}

if (import.meta.main) {
  await runCli(
    {
      connections: { type: "string" },
      requests: { type: "string" },
      window: { type: "string" },
      "timeout-ms": { type: "string" },
      "slow-requests": { type: "string" },
      "slow-payload-kb": { type: "string" },
    },
    (values, common) =>
      runThroughput({
        ...common,
        connections: num(values.connections),
        requests: num(values.requests),
        window: num(values.window),
        timeoutMs: num(values["timeout-ms"]),
        slowRequests: num(values["slow-requests"]),
        slowPayloadKb: num(values["slow-payload-kb"]),
      }),
    printThroughput,
  );
}
