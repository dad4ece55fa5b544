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

import { initializeClient } from "./_rpc.ts";
import { fmt, maximum, median, minimum, num, printErrors, printTable, runCli } from "./_report.ts";
import {
  assertTurnCompleted,
  inSequence,
  manyDeltasTurn,
  mockSpawnOptions,
  runTurn,
  startThread,
  withMockServer,
} from "./_runs.ts";
import {
  type CommonOptions,
  resolveServers,
  type ServerSpec,
  treeCpuSeconds,
  treeRssMb,
} from "./_servers.ts";

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

/** Runs the comparison, one server after the other (each with its own mock). */
export async function runTurnStream(opts: TurnStreamOptions = {}): Promise<TurnStreamResult[]> {
  return inSequence(await resolveServers(opts), (spec) => runOne(spec, opts));
}

function runOne(spec: ServerSpec, opts: TurnStreamOptions): Promise<TurnStreamResult> {
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
  const spawnOptions = (url: string) => mockSpawnOptions(url, { stdio: true });
  return withMockServer(spec, result, spawnOptions, async (server, mock) => {
    const client = await initializeClient(server);

    /** Starts a thread, runs one turn of `n` deltas, returns its timings. */
    const streamTurn = async (n: number) => {
      const threadId = await startThread(client);
      mock.enqueue(manyDeltasTurn(n));
      let received = 0;
      let firstDeltaAt = NaN;
      const cpu0 = treeCpuSeconds(server.pid);
      const t = await runTurn(client, threadId, {
        text: "stream please",
        timeoutMs,
        what: () => `${spec.name}: turn/completed (${received} deltas so far)`,
        onEvent(msg, at) {
          if (msg.method === "item/agentMessage/delta" && received++ === 0) firstDeltaAt = at;
        },
      });
      return {
        ms: t.turnMs,
        firstMs: firstDeltaAt - t.t0,
        received,
        cpu: treeCpuSeconds(server.pid) - cpu0,
        status: assertTurnCompleted(t.completion),
      };
    };

    await streamTurn(10); // warm-up, unmeasured
    const first: number[] = [];
    const rates: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = await streamTurn(deltas);
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
  });
}

/** Prints the results table. */
export function printTurnStream(results: TurnStreamResult[]): void {
  const title = (first: TurnStreamResult) =>
    `turn streaming (stdio): one turn of ${first.deltas} agentMessage deltas, ` +
    `median of ${first.turnMs.length || "?"} turns`;
  printTable(title, results, [
    ["server", (r) => r.name],
    ["turn ms", (r) => fmt(r.medianTurnMs, 0)],
    ["min", (r) => fmt(minimum(r.turnMs), 0)],
    ["max", (r) => fmt(maximum(r.turnMs), 0)],
    ["1st delta ms", (r) => fmt(r.firstDeltaMs, 1)],
    ["deltas/s", (r) => fmt(r.deltasPerSecond, 0)],
    ["received", (r) => String(r.received)],
    ["cpu s/turn", (r) => fmt(r.cpuSecondsPerTurn, 2)],
    ["rss MB", (r) => fmt(r.rssMb, 1)],
  ]);
  printErrors(results);
}

if (import.meta.main) {
  await runCli(
    { deltas: { type: "string" }, reps: { type: "string" }, "timeout-ms": { type: "string" } },
    (values, common) =>
      runTurnStream({
        ...common,
        deltas: num(values.deltas),
        reps: num(values.reps),
        timeoutMs: num(values["timeout-ms"]),
      }),
    printTurnStream,
  );
}
