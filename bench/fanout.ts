/**
 * Fan-out: one streaming turn (N `response.output_text.delta` events from the mock model,
 * default 20,000) delivered to many websocket connections subscribed to the same thread.
 *
 * Setup, per server and per run (each run gets a fresh server process):
 * 1. a driver connection starts a thread and runs a short turn, so the thread is materialised;
 * 2. `--connections` subscribers (default 100) each open a socket, `initialize` and
 *    `thread/resume` the thread;
 * 3. in the "slow reader" run, one more raw-TCP connection also resumes the thread and then
 *    never reads its socket again;
 * 4. the driver sends `turn/start` for the long turn and every subscriber records the arrival
 *    time of each `item/agentMessage/delta` and of `turn/completed`.
 *
 * What is reported, per run:
 * - turn ms: per subscriber, from writing `turn/start` to reading its `turn/completed`
 *   (p50 and max over subscribers);
 * - deltas/s: per subscriber, deltas received / its turn seconds (min and p50);
 * - lag: for every delta i and subscriber c, `arrival(c, i) - min over c' of arrival(c', i)`,
 *   i.e. how far behind the fastest subscriber each copy of each delta arrived (p50, p99, max
 *   over all N x deltas pairs). It measures fan-out fairness and head-of-line blocking without
 *   relying on clocks across processes. The mock writes its whole SSE body at once, so a delay
 *   "since the mock emitted it" would mostly measure the server's read backlog, not fan-out.
 * - undelivered: deltas that never reached a subscriber (0 unless the turn timed out).
 *
 * The measured turn is bounded by `--timeout-ms` (default 30 s). A server that has not delivered
 * the whole turn to every subscriber by then is stopped; its rates are deltas received in the
 * window divided by the window, its lag covers the deltas every subscriber received.
 * Comparing the run with the slow reader to the run without it shows whether one stalled peer
 * slows everyone else down. What happened to the stalled peer is reported too (the server may
 * close it once its outbound queue is over budget, or keep it open and buffer).
 *
 * By default subscribers get what any 0.105 client gets, including the legacy `codex/event/*`
 * notifications: both servers send three messages per streamed delta. `--opt-out-legacy` makes
 * subscribers opt out of the two legacy per-delta ones, to see the cost without them.
 *
 * Caveats: every subscriber lives in this one Deno process (and so does the mock), so arrival
 * times include this process's own event-loop queueing; with 2 cores the client competes with
 * the server for CPU. The numbers compare servers under the same client, they are not absolute.
 * The driver connection also receives the stream (it is not measured).
 *
 * Usage: deno run --allow-all bench/fanout.ts [--connections 100] [--deltas 20000]
 *        [--timeout-ms 30000] [--opt-out-legacy] [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH]
 *        [--json]
 *
 * @module
 */

import { textTurn } from "../tests/support/mock_model.ts";
import { BenchWs, INITIALIZE_PARAMS, isAgentDelta, isTurnCompleted } from "./_rpc.ts";
import { RawWsPeer } from "./_raw_ws.ts";
import { fmt, median, num, percentile, print, printErrors, printTable, runCli } from "./_report.ts";
import { manyDeltasTurn, mockSpawnOptions, turnStartParams, withMockServer } from "./_runs.ts";
import {
  type CommonOptions,
  resolveServers,
  type ServerSpec,
  treeCpuSeconds,
  treeRssMb,
  waitForListen,
  withTimeout,
  WS_LISTEN_ARGS,
} from "./_servers.ts";

export interface FanoutOptions extends CommonOptions {
  connections?: number;
  deltas?: number;
  /** Limit for the measured turn to reach every subscriber. */
  timeoutMs?: number;
  /**
   * Subscribers opt out (`optOutNotificationMethods`) of the two legacy per-delta notifications
   * (`codex/event/agent_message_delta`, `codex/event/agent_message_content_delta`), which
   * otherwise triple the messages per delta for both servers.
   */
  optOutLegacy?: boolean;
}

/** The legacy notifications both servers send for every streamed delta. */
const LEGACY_DELTAS = [
  "codex/event/agent_message_delta",
  "codex/event/agent_message_content_delta",
];

export interface FanoutRun {
  name: string;
  slowReader: boolean;
  connections: number;
  deltas: number;
  /** Subscribers that saw `turn/completed`. */
  completed: number;
  /** The turn had not reached every subscriber within `timeoutMs`; rates are over the window. */
  timedOut: boolean;
  optOutLegacy: boolean;
  /** Deltas missing across all subscribers. */
  lost: number;
  turnP50Ms: number;
  turnMaxMs: number;
  rateMin: number;
  rateP50: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Server CPU seconds (whole tree) during the measured turn. */
  cpuSeconds: number;
  /** Server tree RSS right after the turn, MB. */
  rssMb: number;
  /** The stalled peer: "open", "EOF", "reset", ... and how many bytes it had not read. */
  slowFate: string;
  error?: string;
}

/** Runs, per server: without the slow reader, then with it. */
export async function runFanout(opts: FanoutOptions = {}): Promise<FanoutRun[]> {
  const specs = await resolveServers(opts);
  const runs: FanoutRun[] = [];
  for (const spec of specs) {
    for (const slow of [false, true]) runs.push(await runOne(spec, opts, slow));
  }
  return runs;
}

interface Subscriber {
  ws: BenchWs;
  arrivals: Float64Array;
  count: number;
  completedAt: number;
}

function runOne(spec: ServerSpec, opts: FanoutOptions, slow: boolean): Promise<FanoutRun> {
  const connections = Math.max(1, Math.min(opts.connections ?? 100, 1000));
  const deltas = Math.max(1, Math.min(opts.deltas ?? 20_000, 200_000));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const run: FanoutRun = {
    name: spec.name,
    slowReader: slow,
    connections,
    deltas,
    completed: 0,
    timedOut: false,
    optOutLegacy: opts.optOutLegacy === true,
    lost: NaN,
    turnP50Ms: NaN,
    turnMaxMs: NaN,
    rateMin: NaN,
    rateP50: NaN,
    lagP50Ms: NaN,
    lagP99Ms: NaN,
    lagMaxMs: NaN,
    cpuSeconds: NaN,
    rssMb: NaN,
    slowFate: "-",
  };
  const spawnOptions = (url: string) => mockSpawnOptions(url, { extraArgs: [...WS_LISTEN_ARGS] });
  return withMockServer(spec, run, spawnOptions, async (server, mock) => {
    const sockets: BenchWs[] = [];
    let peer: RawWsPeer | undefined;
    try {
      const { url, port } = await waitForListen(server);

      // 1. Materialise the thread with a short turn.
      const driver = await BenchWs.open(url);
      sockets.push(driver);
      const started = await driver.call("thread/start", {}) as { thread?: { id?: string } };
      const threadId = started.thread?.id;
      if (!threadId) throw new Error(`thread/start returned no id`);
      let driverDone = () => {};
      driver.onText = (text) => {
        if (isTurnCompleted(text)) driverDone();
      };
      const turn = async (script: ReturnType<typeof textTurn>, limitMs: number) => {
        mock.enqueue(script);
        const done = new Promise<void>((resolve) => driverDone = resolve);
        await driver.call("turn/start", turnStartParams(threadId));
        await withTimeout(done, limitMs, "driver turn/completed");
      };
      await turn(textTurn("warm", { deltas: ["warm"] }), 30_000);

      // 2. Subscribers.
      const initParams = {
        ...INITIALIZE_PARAMS,
        capabilities: {
          ...INITIALIZE_PARAMS.capabilities,
          optOutNotificationMethods: opts.optOutLegacy ? LEGACY_DELTAS : null,
        },
      };
      const subs = await withTimeout(
        Promise.all(Array.from({ length: connections }, async () => {
          const ws = await BenchWs.open(url, 30_000, initParams);
          sockets.push(ws);
          await ws.call("thread/resume", { threadId }, 30_000);
          return { ws, arrivals: new Float64Array(deltas), count: 0, completedAt: NaN };
        })),
        60_000,
        `${connections} subscribers resuming`,
      );
      const allDone = Promise.all(subs.map((s: Subscriber) =>
        new Promise<void>((resolve) => {
          s.ws.onText = (text, at) => {
            if (isAgentDelta(text)) {
              if (s.count < deltas) s.arrivals[s.count] = at;
              s.count++;
            } else if (isTurnCompleted(text)) {
              s.completedAt = at;
              resolve();
            }
          };
        })
      ));

      // 3. The stalled peer.
      if (slow) {
        peer = await RawWsPeer.open(port);
        const resumed = await peer.request("thread/resume", { threadId }, 30_000);
        if (resumed.error) throw new Error(`slow peer resume: ${JSON.stringify(resumed.error)}`);
      }

      // 4. The measured turn.
      const cpu0 = treeCpuSeconds(server.pid);
      const t0 = performance.now();
      let timedOut = false;
      await withTimeout(
        Promise.all([turn(manyDeltasTurn(deltas), timeoutMs), allDone]),
        timeoutMs,
        "fan-out turn",
      ).catch(() => timedOut = true);
      run.cpuSeconds = treeCpuSeconds(server.pid) - cpu0;
      run.rssMb = treeRssMb(server.pid);

      const stoppedAt = performance.now();
      const done = subs.filter((s) => !Number.isNaN(s.completedAt));
      run.completed = done.length;
      run.timedOut = timedOut;
      // Deltas still owed; after a time-out this counts what was not delivered in time.
      run.lost = subs.reduce((sum, s) => sum + Math.max(0, deltas - s.count), 0);
      const turnMs = done.map((s) => s.completedAt - t0);
      run.turnP50Ms = median(turnMs);
      run.turnMaxMs = timedOut ? NaN : Math.max(...turnMs);
      // A subscriber that had not finished at the time-out is rated over the whole window.
      const rates = subs.map((s) =>
        s.count / (((Number.isNaN(s.completedAt) ? stoppedAt : s.completedAt) - t0) / 1000)
      );
      run.rateMin = rates.length ? Math.min(...rates) : NaN;
      run.rateP50 = median(rates);
      const lags = lagsBehindFastest(subs, deltas);
      run.lagP50Ms = percentile(lags, 50);
      run.lagP99Ms = percentile(lags, 99);
      run.lagMaxMs = lags.reduce((a, b) => Math.max(a, b), 0);
      if (peer) {
        const f = await peer.fate();
        run.slowFate = `${f.fate}, ${fmt(f.unreadBytes / 1048576, 1)} MB unread`;
      }
    } finally {
      for (const s of sockets) s.close();
      peer?.close();
    }
  });
}

/** `arrival(c, i) - min_c' arrival(c', i)` for every subscriber and every delta both saw. */
function lagsBehindFastest(subs: Subscriber[], deltas: number): Float64Array {
  const n = Math.min(deltas, ...subs.map((s) => s.count));
  if (subs.length === 0 || !Number.isFinite(n)) return new Float64Array(0);
  const out = new Float64Array(n * subs.length);
  let k = 0;
  for (let i = 0; i < n; i++) {
    let fastest = Infinity;
    for (const s of subs) fastest = Math.min(fastest, s.arrivals[i]!);
    for (const s of subs) out[k++] = s.arrivals[i]! - fastest;
  }
  return out;
}

/** Prints the results table. */
export function printFanout(runs: FanoutRun[]): void {
  const title = (first: FanoutRun) =>
    `fan-out (websocket): one turn of ${first.deltas} deltas to ${first.connections} ` +
    `subscribers (thread/resume), without and with 1 non-reading subscriber` +
    (first.optOutLegacy ? "; legacy per-delta notifications opted out" : "");
  printTable(title, runs, [
    ["server", (r) => r.name],
    ["slow peer", (r) => r.slowReader ? "yes" : "no"],
    ["done", (r) => `${r.completed}/${r.connections}`],
    ["undelivered", (r) => Number.isNaN(r.lost) ? "n/a" : String(r.lost)],
    ["turn p50 ms", (r) => fmt(r.turnP50Ms, 0)],
    ["turn max ms", (r) => fmt(r.turnMaxMs, 0)],
    ["deltas/s min", (r) => fmt(r.rateMin, 0)],
    ["deltas/s p50", (r) => fmt(r.rateP50, 0)],
    ["lag p50 ms", (r) => fmt(r.lagP50Ms, 1)],
    ["lag p99 ms", (r) => fmt(r.lagP99Ms, 1)],
    ["lag max ms", (r) => fmt(r.lagMaxMs, 1)],
    ["cpu s", (r) => fmt(r.cpuSeconds, 2)],
    ["rss MB", (r) => fmt(r.rssMb, 1)],
    ["slow peer fate", (r) => r.slowReader ? r.slowFate : "-"],
  ]);
  if (runs.some((r) => r.timedOut)) {
    print(
      `  timed out (done < all): the turn had not reached every subscriber within the ` +
        `time limit; deltas/s and lag are over what arrived in that window`,
    );
  }
  printErrors(runs, (r) => `${r.name}${r.slowReader ? " (slow peer)" : ""}`);
}

if (import.meta.main) {
  await runCli(
    {
      connections: { type: "string" },
      deltas: { type: "string" },
      "timeout-ms": { type: "string" },
      "opt-out-legacy": { type: "boolean" },
    },
    (values, common) =>
      runFanout({
        ...common,
        connections: num(values.connections),
        deltas: num(values.deltas),
        timeoutMs: num(values["timeout-ms"]),
        optOutLegacy: values["opt-out-legacy"] === true,
      }),
    printFanout,
  );
}
