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

import { parseArgs } from "node:util";
import { type ColdStartResult, printColdStart, runColdStart } from "./cold_start.ts";
import { type ConfigBenchReport, printConfigBench, runConfigBench } from "./config_bench.ts";
import { type ExecBenchResult, printExecBench, runExecBench } from "./exec_bench.ts";
import { type FanoutRun, printFanout, runFanout } from "./fanout.ts";
import { type IdleRssResult, printIdleRss, runIdleRss } from "./idle_rss.ts";
import {
  type LoadedThreadsResult,
  printLoadedThreads,
  runLoadedThreads,
} from "./loaded_threads_rss.ts";
import {
  type OutputStreamResult,
  printOutputStream,
  runOutputStream,
} from "./output_stream_bench.ts";
import { printThreadList, runThreadList, type ThreadListResult } from "./thread_list_bench.ts";
import { printTurnStream, runTurnStream, type TurnStreamResult } from "./turn_stream.ts";
import {
  printThroughput,
  runThroughput,
  slowSummary,
  type ThroughputResult,
} from "./throughput.ts";
import {
  COMMON_FLAGS,
  commonOptions,
  errorText,
  fmt,
  print,
  referenceBin,
  sleep,
  table,
} from "./_util.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    ...COMMON_FLAGS,
    quick: { type: "boolean" },
    runs: { type: "string" },
    reps: { type: "string" },
    connections: { type: "string" },
    requests: { type: "string" },
    window: { type: "string" },
    deltas: { type: "string" },
    threads: { type: "string" },
  },
});
const quick = values.quick === true;
const num = (v: string | undefined, full: number, fast: number) =>
  v === undefined ? (quick ? fast : full) : Number(v);

const common = commonOptions(values);
// Resolve (and if needed install) the reference once, not once per bench.
if (!common.skipRef) common.refBin = await referenceBin(common.refBin);

let cold: ColdStartResult[] = [];
let rss: IdleRssResult[] = [];
let tput: ThroughputResult[] = [];
let config: ConfigBenchReport | undefined;
let stream: TurnStreamResult[] = [];
let fanout: FanoutRun[] = [];
let lists: ThreadListResult[] = [];
let loaded: LoadedThreadsResult[] = [];
let exec: ExecBenchResult[] = [];
let outputStream: OutputStreamResult[] = [];
const failures: string[] = [];

const started = performance.now();
try {
  cold = await runColdStart({ ...common, runs: num(values.runs, 20, 5) });
  if (!values.json) printColdStart(cold);
} catch (err) {
  failures.push(`cold_start: ${errorText(err)}`);
}
if (!values.json) print();
try {
  rss = await runIdleRss({ ...common, reps: num(values.reps, 3, 1) });
  if (!values.json) printIdleRss(rss);
} catch (err) {
  failures.push(`idle_rss: ${errorText(err)}`);
}
if (!values.json) print();
try {
  tput = await runThroughput({
    ...common,
    connections: num(values.connections, 100, 20),
    requests: num(values.requests, 1000, 200),
    window: num(values.window, 16, 16),
  });
  if (!values.json) printThroughput(tput);
} catch (err) {
  failures.push(`throughput: ${errorText(err)}`);
}
if (!values.json) print();
try {
  config = await runConfigBench({ ...common, runs: num(values.runs, 30, 10) });
  if (!values.json) printConfigBench(config);
} catch (err) {
  failures.push(`config: ${errorText(err)}`);
}
const deltas = num(values.deltas, 20_000, 5_000);
if (!values.json) print();
try {
  stream = await runTurnStream({ ...common, deltas, reps: num(values.reps, 3, 1) });
  if (!values.json) printTurnStream(stream);
} catch (err) {
  failures.push(`turn_stream: ${errorText(err)}`);
}
if (!values.json) print();
try {
  fanout = await runFanout({
    ...common,
    deltas,
    connections: num(values.connections, 100, 20),
    timeoutMs: quick ? 15_000 : 30_000,
  });
  if (!values.json) printFanout(fanout);
} catch (err) {
  failures.push(`fanout: ${errorText(err)}`);
}
if (!values.json) print();
const listReps = quick ? 5 : 20;
try {
  lists = await runThreadList({
    ...common,
    sizes: quick ? [1000] : [1000, 10_000],
    reps: listReps,
  });
  if (!values.json) printThreadList(lists, listReps);
} catch (err) {
  failures.push(`thread_list: ${errorText(err)}`);
}
if (!values.json) print();
try {
  loaded = await runLoadedThreads({
    ...common,
    threads: num(values.threads, 1000, 200),
    budgetSeconds: quick ? 15 : 45,
  });
  if (!values.json) printLoadedThreads(loaded);
} catch (err) {
  failures.push(`loaded_threads: ${errorText(err)}`);
}
if (!values.json) print();
try {
  exec = await runExecBench({
    ...common,
    commands: quick ? 20 : 100,
    reps: num(values.reps, 3, 1),
  });
  if (!values.json) printExecBench(exec);
} catch (err) {
  failures.push(`exec: ${errorText(err)}`);
}
if (!values.json) print();
try {
  outputStream = await runOutputStream({ ...common, mb: quick ? 10 : 50 });
  if (!values.json) printOutputStream(outputStream);
} catch (err) {
  failures.push(`output_stream: ${errorText(err)}`);
}

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
  const rows = [[
    "server",
    "cold ms (p50)",
    "idle MB",
    "req/s",
    "p50 ms",
    "p99 ms",
    "overloads",
    "stalled peer",
    "cfg read ms",
    "cfg write ms",
  ]];
  for (const name of names) {
    const c = cold.find((r) => r.name === name);
    const m = rss.find((r) => r.name === name);
    const t = tput.find((r) => r.name === name);
    const cf = config?.results.find((r) => r.server === name);
    rows.push([
      name,
      c?.error ? "error" : fmt(c?.median),
      m?.error ? "error" : fmt(m?.medianMb),
      t?.error ? "error" : fmt(t?.requestsPerSecond, 0),
      fmt(t?.p50Ms, 2),
      fmt(t?.p99Ms, 2),
      t && !t.error ? String(t.overloads) : "-",
      t ? (t.slow.disconnected ? "disconnected" : slowSummary(t.slow).split(";")[0]!) : "-",
      cf?.error ? "error" : fmt(cf?.readMs, 2),
      cf?.error ? "error" : fmt(cf?.writeMs, 2),
    ]);
  }
  print(table(rows));
  const biggest = Math.max(0, ...lists.map((l) => l.threads));
  const loadedN = loaded[0]?.threads ?? 0;
  const rows2 = [[
    "server",
    "turn ms",
    "deltas/s",
    "fanout deltas/s",
    "w/ slow peer",
    `list ${biggest} cold`,
    "warm",
    "search (indexed)",
    `MB @${loadedN} threads`,
  ]];
  const names2 = [...new Set([...stream, ...fanout, ...lists, ...loaded].map((r) => r.name))];
  for (const name of names2) {
    const st = stream.find((r) => r.name === name);
    const f0 = fanout.find((r) => r.name === name && !r.slowReader);
    const f1 = fanout.find((r) => r.name === name && r.slowReader);
    const l = lists.find((r) => r.name === name && r.threads === biggest);
    const ld = loaded.find((r) => r.name === name);
    const rate = (r: FanoutRun | undefined) =>
      r?.error ? "error" : `${fmt(r?.rateP50, 0)}${r?.timedOut ? " (t/o)" : ""}`;
    rows2.push([
      name,
      st?.error ? "error" : fmt(st?.medianTurnMs, 0),
      fmt(st?.deltasPerSecond, 0),
      f0 ? rate(f0) : "-",
      f1 ? rate(f1) : "-",
      l?.error ? "error" : fmt(l?.coldListMs, 1),
      fmt(l?.warmListMs, 2),
      fmt(l?.searchAfterStartMs, 2),
      ld?.error ? "error" : `${ld?.budgetHit ? "~" : ""}${fmt(ld?.projectedMb)}`,
    ]);
  }
  print();
  print(table(rows2));
  for (const f of failures) print(`  ${f}`);
}
// Stray sockets or timers must not keep a finished run alive.
await sleep(0);
Deno.exit(0);
