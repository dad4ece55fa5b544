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

import { parseArgs } from "node:util";
import {
  COMMON_FLAGS,
  type CommonOptions,
  commonOptions,
  errorText,
  fmt,
  INITIALIZE_PARAMS,
  percentile,
  print,
  resolveServers,
  type RpcMessage,
  type ServerSpec,
  sleep,
  spawnServer,
  table,
  treeCpuSeconds,
  treeRss,
  waitForBanner,
  withTimeout,
} from "./_util.ts";

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

const OVERLOADED = -32001;
const MAX_RETRIES = 200;

/** Runs the throughput comparison, one server after another. */
export async function runThroughput(opts: ThroughputOptions = {}): Promise<ThroughputResult[]> {
  const specs = await resolveServers(opts);
  const results: ThroughputResult[] = [];
  for (const spec of specs) results.push(await runOne(spec, opts));
  return results;
}

async function runOne(spec: ServerSpec, opts: ThroughputOptions): Promise<ThroughputResult> {
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

  const server = await spawnServer(spec, { extraArgs: ["--listen", "ws://127.0.0.1:0"] });
  const sockets: WebSocket[] = [];
  let slow: StalledPeer | undefined;
  try {
    const url = await waitForBanner(server);
    const { hostname, port } = new URL(url);
    if (hostname !== "127.0.0.1") throw new Error(`refusing non-loopback banner URL ${url}`);

    // The stalled peer goes first so its backlog builds up while the real load runs.
    slow = await StalledPeer.open(Number(port), result.slow);
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
    result.serverRssMb = treeRss(server.pid).reduce((s, p) => s + p.rssKb, 0) / 1024;

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
  } catch (err) {
    result.error = errorText(err);
  } finally {
    for (const ws of sockets) {
      try {
        ws.close();
      } catch {
        // Already closed.
      }
    }
    slow?.abort();
    await server.stop();
  }
  return result;
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
    if (msg.error?.code === OVERLOADED) {
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
        if (msg.error.code === OVERLOADED) {
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
 * A websocket client done by hand over raw TCP, so that "never reads" is literal: after the
 * `initialize` answer we do not touch the socket's read side until `finish()`.
 */
class StalledPeer {
  #buffer: Uint8Array = new Uint8Array(0);
  #stallStart = 0;
  #writeStartedAt: number | undefined;
  #writerDone = false;
  #writing: Promise<void> = Promise.resolve();
  #stop = false;

  private constructor(private conn: Deno.TcpConn, private report: SlowReport) {}

  static async open(port: number, report: SlowReport): Promise<StalledPeer> {
    const conn = await withTimeout(
      Deno.connect({ hostname: "127.0.0.1", port }),
      10_000,
      "stalled peer connect",
    );
    const peer = new StalledPeer(conn, report);
    try {
      await withTimeout(peer.#handshake(port), 10_000, "stalled peer handshake");
      await withTimeout(peer.#initialize(), 10_000, "stalled peer initialize");
    } catch (err) {
      peer.abort();
      throw err;
    }
    report.initialized = true;
    return peer;
  }

  async #handshake(port: number): Promise<void> {
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const request = [
      "GET / HTTP/1.1",
      `Host: 127.0.0.1:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      "",
      "",
    ].join("\r\n");
    await writeAll(this.conn, new TextEncoder().encode(request));
    // Read until the end of the HTTP response head; anything after it is frame data.
    for (let reads = 0; reads < 1000; reads++) {
      const text = new TextDecoder().decode(this.#buffer);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        if (!/^HTTP\/1\.1 101/.test(text)) throw new Error(`handshake refused: ${text.trim()}`);
        this.#buffer = this.#buffer.subarray(
          new TextEncoder().encode(text.slice(0, end + 4)).length,
        );
        return;
      }
      if (!(await this.#fill())) throw new Error("EOF during handshake");
    }
    throw new Error("handshake response too long");
  }

  async #initialize(): Promise<void> {
    const init = { id: "slow-init", method: "initialize", params: INITIALIZE_PARAMS };
    await writeAll(this.conn, maskedTextFrame(JSON.stringify(init)));
    for (let frames = 0; frames < 1000; frames++) {
      const frame = await this.#readFrame();
      if (!frame) throw new Error("EOF before initialize answer");
      if (frame.opcode === 8) throw new Error("server closed before initialize answer");
      if (frame.opcode !== 1) continue;
      const msg = JSON.parse(new TextDecoder().decode(frame.payload)) as RpcMessage;
      if (msg.id !== "slow-init") continue;
      if (msg.error) throw new Error(`initialize failed: ${JSON.stringify(msg.error)}`);
      await writeAll(this.conn, maskedTextFrame(JSON.stringify({ method: "initialized" })));
      return;
    }
    throw new Error("no initialize answer within 1000 frames");
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
            await writeAll(this.conn, maskedTextFrame(JSON.stringify(req)));
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
    const idleMs = 2000;
    const deadline = performance.now() + 20_000;
    let drained = this.#buffer.length;
    const chunk = new Uint8Array(256 * 1024);
    let frames = new FrameScanner();
    frames.push(this.#buffer);
    while (performance.now() < deadline) {
      let n: number | null;
      try {
        n = await withTimeout(this.conn.read(chunk), idleMs, "idle");
      } catch (err) {
        if (err instanceof Error && err.message.includes("idle")) {
          // Still open and quiet: the server kept the connection.
          if (!this.report.disconnected) this.report.how = "still open";
          break;
        }
        this.#markDisconnected(`read failed (${errorName(err)})`);
        break;
      }
      if (n === null) {
        this.#markDisconnected("EOF");
        break;
      }
      drained += n;
      const close = frames.push(chunk.subarray(0, n));
      if (close !== undefined) {
        this.#markDisconnected(`close frame ${close}`);
        break;
      }
      if (frames.bytesHeld > 1 << 20) frames = new FrameScanner();
    }
    this.report.drainedBytes = drained;
    this.report.checked = true;
    await withTimeout(this.#writing, 5000, "stalled writer").catch(() => {});
  }

  abort(): void {
    this.#stop = true;
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.conn.read(chunk);
    if (n === null) return false;
    this.#buffer = concat(this.#buffer, chunk.subarray(0, n));
    return true;
  }

  async #readFrame(): Promise<{ opcode: number; payload: Uint8Array } | undefined> {
    for (let reads = 0; reads < 10_000; reads++) {
      const parsed = parseFrame(this.#buffer);
      if (parsed) {
        this.#buffer = this.#buffer.subarray(parsed.size);
        return parsed;
      }
      if (!(await this.#fill())) return undefined;
    }
    return undefined;
  }
}

/** Tracks frame boundaries across chunks just far enough to spot a close frame. */
class FrameScanner {
  #held: Uint8Array = new Uint8Array(0);

  get bytesHeld(): number {
    return this.#held.length;
  }

  /** Feeds bytes; returns the close code (or 0) if a close frame was seen. */
  push(bytes: Uint8Array): number | undefined {
    this.#held = concat(this.#held, bytes);
    for (let i = 0; i < 100_000; i++) {
      const frame = parseFrame(this.#held);
      if (!frame) return undefined;
      this.#held = this.#held.subarray(frame.size);
      if (frame.opcode === 8) {
        return frame.payload.length >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : 0;
      }
    }
    return undefined;
  }
}

/** Parses one unmasked server frame from the start of `buf`, or undefined if incomplete. */
function parseFrame(
  buf: Uint8Array,
): { opcode: number; payload: Uint8Array; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = (buf[2]! << 8) | buf[3]!;
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(new DataView(buf.buffer, buf.byteOffset + 2, 8).getBigUint64(0));
    offset = 10;
  }
  const maskKey = masked ? buf.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buf.length < offset + len) return undefined;
  const payload = buf.slice(offset, offset + len);
  if (maskKey) { for (let i = 0; i < payload.length; i++) payload[i]! ^= maskKey[i & 3]!; }
  return { opcode, payload, size: offset + len };
}

/** A client-to-server text frame (clients must mask). */
function maskedTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const len = payload.length;
  const header = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + len);
  frame[0] = 0x81;
  if (len < 126) {
    frame[1] = 0x80 | len;
  } else if (len < 65536) {
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

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : String(err);
}

/** Retry delay after an overload answer: 10, 20, 40 ... 200 ms, plus jitter to spread bursts. */
function backoffMs(attempt: number): number {
  return Math.min(10 * 2 ** (attempt - 1), 200) + Math.random() * 10;
}

function clamp(value: number, lo: number, hi: number): number {
  return Number.isFinite(value) ? Math.max(lo, Math.min(hi, Math.floor(value))) : lo;
}

/** Prints results as a table, plus the stalled connection's fate. */
export function printThroughput(results: ThroughputResult[]): void {
  const first = results[0];
  if (first) {
    print(
      `websocket throughput: ${first.connections} connections x ${first.requestsPerConnection} ` +
        `mock/experimentalMethod, window ${first.window}, + 1 non-reading connection`,
    );
  }
  const rows = [[
    "server",
    "req/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "done",
    "failed",
    "overloads",
    "cpu s",
    "rss MB",
    "stalled peer",
  ]];
  for (const r of results) {
    rows.push([
      r.name,
      fmt(r.requestsPerSecond, 0),
      fmt(r.p50Ms, 2),
      fmt(r.p99Ms, 2),
      fmt(r.maxMs, 1),
      String(r.completed),
      String(r.failed),
      String(r.overloads),
      fmt(r.serverCpuSeconds, 2),
      fmt(r.serverRssMb, 1),
      slowSummary(r.slow),
    ]);
  }
  print(table(rows));
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
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      ...COMMON_FLAGS,
      connections: { type: "string" },
      requests: { type: "string" },
      window: { type: "string" },
      "timeout-ms": { type: "string" },
      "slow-requests": { type: "string" },
      "slow-payload-kb": { type: "string" },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const results = await runThroughput({
    ...commonOptions(values),
    connections: num(values.connections),
    requests: num(values.requests),
    window: num(values.window),
    timeoutMs: num(values["timeout-ms"]),
    slowRequests: num(values["slow-requests"]),
    slowPayloadKb: num(values["slow-payload-kb"]),
  });
  if (values.json) print(JSON.stringify(results));
  else printThroughput(results);
  // Stray sockets or timers must not keep a finished bench alive.
  await sleep(0);
  Deno.exit(0);
}
