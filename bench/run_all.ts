/**
 * Runs every benchmark in sequence (cold start, idle RSS, websocket throughput, config load and
 * write) and ends with a compact ours-vs-reference summary. Backs `deno task bench`.
 *
 * Usage: deno task bench [--quick] [--runs 20] [--reps 3] [--connections 100] [--requests 1000]
 *        [--window 16] [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ColdStartResult, printColdStart, runColdStart } from "./cold_start.ts";
import { type ConfigBenchReport, printConfigBench, runConfigBench } from "./config_bench.ts";
import { type IdleRssResult, printIdleRss, runIdleRss } from "./idle_rss.ts";
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

if (values.json) {
  print(JSON.stringify({ coldStart: cold, idleRss: rss, throughput: tput, config, failures }));
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
  for (const f of failures) print(`  ${f}`);
}
// Stray sockets or timers must not keep a finished run alive.
await sleep(0);
Deno.exit(0);
