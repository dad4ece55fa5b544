/**
 * Runs every benchmark in sequence (cold start, idle RSS, websocket throughput, config load and
 * write, turn streaming, fan-out, thread/list over stored threads, RSS with loaded threads,
 * command execution overhead, command output streaming) and ends with a compact
 * ours-vs-reference summary. Backs `deno task bench`.
 *
 * `--quick` shrinks every size: 5,000-delta turns, 20 fan-out subscribers, 1,000 stored threads
 * only, 200 loaded threads, 20-command exec turns, 10 MB of command output.
 *
 * Usage: deno task bench [--quick] [--runs 20] [--reps 3] [--connections 100] [--requests 1000]
 *        [--window 16] [--deltas 20000] [--threads 1000] [--skip-ours] [--skip-ref]
 *        [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { printColdStart, runColdStart } from "./cold_start.ts";
import { printConfigBench, runConfigBench } from "./config_bench.ts";
import { printExecBench, runExecBench } from "./exec_bench.ts";
import { type FanoutRun, printFanout, runFanout } from "./fanout.ts";
import { printIdleRss, runIdleRss } from "./idle_rss.ts";
import { printLoadedThreads, runLoadedThreads } from "./loaded_threads_rss.ts";
import { printOutputStream, runOutputStream } from "./output_stream_bench.ts";
import { printThreadList, runThreadList } from "./thread_list_bench.ts";
import { printTurnStream, runTurnStream } from "./turn_stream.ts";
import { printThroughput, runThroughput, slowSummary } from "./throughput.ts";
import { commonOptions, errorText, fmt, parseBenchArgs, print, printTable } from "./_report.ts";
import { referenceBin, sleep } from "./_servers.ts";

const { values } = parseBenchArgs({
  quick: { type: "boolean" },
  runs: { type: "string" },
  reps: { type: "string" },
  connections: { type: "string" },
  requests: { type: "string" },
  window: { type: "string" },
  deltas: { type: "string" },
  threads: { type: "string" },
});
const quick = values.quick === true;
const num = (v: string | undefined, full: number, fast: number) =>
  v === undefined ? (quick ? fast : full) : Number(v);

const common = commonOptions(values);
// Resolve (and if needed install) the reference once, not once per bench.
if (!common.skipRef) common.refBin = await referenceBin(common.refBin);

const failures: string[] = [];
let steps = 0;

/**
 * Runs one bench and prints its tables at once (unless `--json`); a bench that throws is noted
 * for the end instead of stopping the others.
 */
async function step<R>(label: string, run: () => Promise<R>, show: (r: R) => void) {
  if (steps++ > 0 && !values.json) print();
  try {
    const results = await run();
    if (!values.json) show(results);
    return results;
  } catch (err) {
    failures.push(`${label}: ${errorText(err)}`);
    return undefined;
  }
}

const started = performance.now();
const cold = await step(
  "cold_start",
  () => runColdStart({ ...common, runs: num(values.runs, 20, 5) }),
  printColdStart,
) ?? [];
const rss = await step(
  "idle_rss",
  () => runIdleRss({ ...common, reps: num(values.reps, 3, 1) }),
  printIdleRss,
) ?? [];
const tput = await step(
  "throughput",
  () =>
    runThroughput({
      ...common,
      connections: num(values.connections, 100, 20),
      requests: num(values.requests, 1000, 200),
      window: num(values.window, 16, 16),
    }),
  printThroughput,
) ?? [];
const config = await step(
  "config",
  () => runConfigBench({ ...common, runs: num(values.runs, 30, 10) }),
  printConfigBench,
);
const deltas = num(values.deltas, 20_000, 5_000);
const stream = await step(
  "turn_stream",
  () => runTurnStream({ ...common, deltas, reps: num(values.reps, 3, 1) }),
  printTurnStream,
) ?? [];
const fanout = await step(
  "fanout",
  () =>
    runFanout({
      ...common,
      deltas,
      connections: num(values.connections, 100, 20),
      timeoutMs: quick ? 15_000 : 30_000,
    }),
  printFanout,
) ?? [];
const listReps = quick ? 5 : 20;
const lists = await step(
  "thread_list",
  () => runThreadList({ ...common, sizes: quick ? [1000] : [1000, 10_000], reps: listReps }),
  (r) => printThreadList(r, listReps),
) ?? [];
const loaded = await step(
  "loaded_threads",
  () =>
    runLoadedThreads({
      ...common,
      threads: num(values.threads, 1000, 200),
      budgetSeconds: quick ? 15 : 45,
    }),
  printLoadedThreads,
) ?? [];
const exec = await step(
  "exec",
  () => runExecBench({ ...common, commands: quick ? 20 : 100, reps: num(values.reps, 3, 1) }),
  printExecBench,
) ?? [];
const outputStream = await step(
  "output_stream",
  () => runOutputStream({ ...common, mb: quick ? 10 : 50 }),
  printOutputStream,
) ?? [];

if (values.json) {
  print(JSON.stringify({
    coldStart: cold,
    idleRss: rss,
    throughput: tput,
    config,
    turnStream: stream,
    fanout,
    threadList: lists,
    loadedThreads: loaded,
    exec,
    outputStream,
    failures,
  }));
} else {
  print(`\nsummary (${fmt((performance.now() - started) / 1000, 0)} s)`);
  const names = [...new Set([...cold, ...rss, ...tput].map((r) => r.name))];
  const servers = names.map((name) => ({
    name,
    c: cold.find((r) => r.name === name),
    m: rss.find((r) => r.name === name),
    t: tput.find((r) => r.name === name),
    cf: config?.results.find((r) => r.server === name),
  }));
  printTable(undefined, servers, [
    ["server", (s) => s.name],
    ["cold ms (p50)", ({ c }) => c?.error ? "error" : fmt(c?.median)],
    ["idle MB", ({ m }) => m?.error ? "error" : fmt(m?.medianMb)],
    ["req/s", ({ t }) => t?.error ? "error" : fmt(t?.requestsPerSecond, 0)],
    ["p50 ms", ({ t }) => fmt(t?.p50Ms, 2)],
    ["p99 ms", ({ t }) => fmt(t?.p99Ms, 2)],
    ["overloads", ({ t }) => t && !t.error ? String(t.overloads) : "-"],
    [
      "stalled peer",
      ({ t }) =>
        t ? (t.slow.disconnected ? "disconnected" : slowSummary(t.slow).split(";")[0]!) : "-",
    ],
    ["cfg read ms", ({ cf }) => cf?.error ? "error" : fmt(cf?.readMs, 2)],
    ["cfg write ms", ({ cf }) => cf?.error ? "error" : fmt(cf?.writeMs, 2)],
  ]);
  const biggest = Math.max(0, ...lists.map((l) => l.threads));
  const loadedN = loaded[0]?.threads ?? 0;
  const names2 = [...new Set([...stream, ...fanout, ...lists, ...loaded].map((r) => r.name))];
  const servers2 = names2.map((name) => ({
    name,
    st: stream.find((r) => r.name === name),
    f0: fanout.find((r) => r.name === name && !r.slowReader),
    f1: fanout.find((r) => r.name === name && r.slowReader),
    l: lists.find((r) => r.name === name && r.threads === biggest),
    ld: loaded.find((r) => r.name === name),
  }));
  const rate = (r: FanoutRun | undefined) =>
    !r ? "-" : r.error ? "error" : `${fmt(r.rateP50, 0)}${r.timedOut ? " (t/o)" : ""}`;
  print();
  printTable(undefined, servers2, [
    ["server", (s) => s.name],
    ["turn ms", ({ st }) => st?.error ? "error" : fmt(st?.medianTurnMs, 0)],
    ["deltas/s", ({ st }) => fmt(st?.deltasPerSecond, 0)],
    ["fanout deltas/s", ({ f0 }) => rate(f0)],
    ["w/ slow peer", ({ f1 }) => rate(f1)],
    [`list ${biggest} cold`, ({ l }) => l?.error ? "error" : fmt(l?.coldListMs, 1)],
    ["warm", ({ l }) => fmt(l?.warmListMs, 2)],
    ["search (indexed)", ({ l }) => fmt(l?.searchAfterStartMs, 2)],
    [
      `MB @${loadedN} threads`,
      ({ ld }) => ld?.error ? "error" : `${ld?.budgetHit ? "~" : ""}${fmt(ld?.projectedMb)}`,
    ],
  ]);
  for (const f of failures) print(`  ${f}`);
}
// Stray sockets or timers must not keep a finished run alive.
await sleep(0);
Deno.exit(0);
