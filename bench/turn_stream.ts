/**
 * Turn streaming: one turn whose model answer is a single assistant message streamed as N
 * `response.output_text.delta` events (default 20,000) by the scripted mock model, over stdio.
 * Measures the time from writing `turn/start` to reading `turn/completed`, the time to the first
 * `item/agentMessage/delta`, and deltas received per second over the whole turn
 * (deltas / (turn/completed - turn/start)). Only `item/agentMessage/delta` is counted; the
 * reference also sends legacy `codex/event/*` notifications, which it pays for in the same
 * stream (that is part of its cost as a client sees it).
 *
 * Each server first runs an unmeasured short turn (model client, rollout and JIT warm), then
 * `--reps` measured turns, each on a fresh thread so the prompt sent to the mock stays small.
 * The mock runs in this process; it writes the whole SSE body at once, so the server's parsing
 * and forwarding are the bottleneck, not the mock.
 *
 * Usage: deno run --allow-all bench/turn_stream.ts [--deltas 20000] [--reps 3]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { MockModelServer, textTurn } from "../tests/support/mock_model.ts";
import {
  assertInitialized,
  COMMON_FLAGS,
  type CommonOptions,
  commonOptions,
  deltaText,
  errorText,
  fmt,
  INITIALIZE_PARAMS,
  JsonLineClient,
  median,
  mockSpawnOptions,
  print,
  resolveServers,
  type RpcMessage,
  type ServerSpec,
  sleep,
  spawnServer,
  table,
  treeCpuSeconds,
  treeRssMb,
  withTimeout,
} from "./_util.ts";

export interface TurnStreamOptions extends CommonOptions {
  deltas?: number;
  reps?: number;
  /** Limit for one measured turn. */
  timeoutMs?: number;
}

export interface TurnStreamResult {
  name: string;
  deltas: number;
  /** Per measured turn: ms from writing `turn/start` to reading `turn/completed`. */
  turnMs: number[];
  medianTurnMs: number;
  /** Median ms from writing `turn/start` to the first `item/agentMessage/delta`. */
  firstDeltaMs: number;
  /** Median of deltas / turn seconds. */
  deltasPerSecond: number;
  /** Deltas received in the last measured turn (should equal `deltas`). */
  received: number;
  /** Median server CPU seconds (whole process tree) per measured turn. */
  cpuSecondsPerTurn: number;
  /** Server tree RSS after the last turn, MB. */
  rssMb: number;
  /** `turn/completed` status of the last turn. */
  status: string;
  error?: string;
}

/** The mock's answer: one message streamed as `n` deltas. */
export function manyDeltasTurn(n: number): ReturnType<typeof textTurn> {
  const deltas = Array.from({ length: n }, (_, i) => deltaText(i));
  return textTurn(deltas.join(""), { deltas });
}

/** Runs the comparison, one server after the other (each with its own mock). */
export async function runTurnStream(opts: TurnStreamOptions = {}): Promise<TurnStreamResult[]> {
  const specs = await resolveServers(opts);
  const results: TurnStreamResult[] = [];
  for (const spec of specs) results.push(await runOne(spec, opts));
  return results;
}

interface TurnWatch {
  threadId: string;
  deltas: number;
  firstDeltaAt: number;
  completed: (msg: RpcMessage, at: number) => void;
}

async function runOne(spec: ServerSpec, opts: TurnStreamOptions): Promise<TurnStreamResult> {
  const deltas = Math.max(1, Math.min(opts.deltas ?? 20_000, 1_000_000));
  const reps = Math.max(1, Math.min(opts.reps ?? 3, 20));
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const result: TurnStreamResult = {
    name: spec.name,
    deltas,
    turnMs: [],
    medianTurnMs: NaN,
    firstDeltaMs: NaN,
    deltasPerSecond: NaN,
    received: 0,
    cpuSecondsPerTurn: NaN,
    rssMb: NaN,
    status: "-",
  };
  const mock = await MockModelServer.start();
  const server = await spawnServer(spec, mockSpawnOptions(mock.url, { stdio: true }));
  try {
    const client = new JsonLineClient(server);
    assertInitialized(spec.name, await client.request("initialize", INITIALIZE_PARAMS, 30_000));
    await client.notify("initialized");

    let watch: TurnWatch | undefined;
    client.onMessage = (msg) => {
      const w = watch;
      if (!w) return;
      const params = msg.params as { threadId?: string } | undefined;
      if (params?.threadId !== w.threadId) return;
      if (msg.method === "item/agentMessage/delta") {
        if (w.deltas++ === 0) w.firstDeltaAt = performance.now();
      } else if (msg.method === "turn/completed") {
        w.completed(msg, performance.now());
      }
    };

    /** Starts a thread, runs one turn of `n` deltas, returns its timings. */
    const runTurn = async (n: number) => {
      const started = await client.request("thread/start", {}, 30_000);
      const threadId = (started.result as { thread?: { id?: string } } | undefined)?.thread?.id;
      if (!threadId) throw new Error(`thread/start failed: ${JSON.stringify(started)}`);
      mock.enqueue(manyDeltasTurn(n));
      let completedAt = NaN;
      let completion: RpcMessage | undefined;
      const done = new Promise<void>((resolve) => {
        watch = {
          threadId,
          deltas: 0,
          firstDeltaAt: NaN,
          completed(msg, at) {
            completion = msg;
            completedAt = at;
            resolve();
          },
        };
      });
      const w = watch!;
      const cpu0 = treeCpuSeconds(server.pid);
      const t0 = performance.now();
      const reply = await client.request("turn/start", {
        threadId,
        input: [{ type: "text", text: "stream please", text_elements: [] }],
      }, 30_000);
      if (reply.error) throw new Error(`turn/start failed: ${JSON.stringify(reply.error)}`);
      await withTimeout(
        done,
        timeoutMs,
        `${spec.name}: turn/completed (${w.deltas} deltas so far)`,
      );
      const turn = (completion?.params as { turn?: { status?: string; error?: unknown } })?.turn;
      if (turn?.status !== "completed") {
        throw new Error(`turn ended ${turn?.status}: ${JSON.stringify(turn?.error ?? null)}`);
      }
      watch = undefined;
      return {
        ms: completedAt - t0,
        firstMs: w.firstDeltaAt - t0,
        received: w.deltas,
        cpu: treeCpuSeconds(server.pid) - cpu0,
        status: turn.status,
      };
    };

    await runTurn(10); // warm-up, unmeasured
    const first: number[] = [];
    const rates: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = await runTurn(deltas);
      result.turnMs.push(t.ms);
      first.push(t.firstMs);
      rates.push(t.received / (t.ms / 1000));
      cpu.push(t.cpu);
      result.received = t.received;
      result.status = t.status;
    }
    result.medianTurnMs = median(result.turnMs);
    result.firstDeltaMs = median(first);
    result.deltasPerSecond = median(rates);
    result.cpuSecondsPerTurn = median(cpu);
    result.rssMb = treeRssMb(server.pid);
  } catch (err) {
    result.error = `${errorText(err)} | stderr: ${errorText(server.stderrTail().slice(-600))}`;
  } finally {
    await server.stop();
    await mock.close();
  }
  return result;
}

/** Prints the results table. */
export function printTurnStream(results: TurnStreamResult[]): void {
  const first = results[0];
  if (first) {
    print(
      `turn streaming (stdio): one turn of ${first.deltas} agentMessage deltas, ` +
        `median of ${first.turnMs.length || "?"} turns`,
    );
  }
  const rows = [[
    "server",
    "turn ms",
    "min",
    "max",
    "1st delta ms",
    "deltas/s",
    "received",
    "cpu s/turn",
    "rss MB",
  ]];
  for (const r of results) {
    rows.push([
      r.name,
      fmt(r.medianTurnMs, 0),
      fmt(r.turnMs.length ? Math.min(...r.turnMs) : NaN, 0),
      fmt(r.turnMs.length ? Math.max(...r.turnMs) : NaN, 0),
      fmt(r.firstDeltaMs, 1),
      fmt(r.deltasPerSecond, 0),
      String(r.received),
      fmt(r.cpuSecondsPerTurn, 2),
      fmt(r.rssMb, 1),
    ]);
  }
  print(table(rows));
  for (const r of results) if (r.error) print(`  ${r.name}: ERROR ${r.error}`);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      ...COMMON_FLAGS,
      deltas: { type: "string" },
      reps: { type: "string" },
      "timeout-ms": { type: "string" },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const results = await runTurnStream({
    ...commonOptions(values),
    deltas: num(values.deltas),
    reps: num(values.reps),
    timeoutMs: num(values["timeout-ms"]),
  });
  if (values.json) print(JSON.stringify(results));
  else printTurnStream(results);
  await sleep(0);
  Deno.exit(0);
}
