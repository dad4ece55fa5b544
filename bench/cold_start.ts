/**
 * Cold start: time from spawning `app-server` (stdio) to receiving the `initialize` response.
 * Servers are interleaved run by run so background noise affects them equally.
 *
 * Usage: deno run --allow-all bench/cold_start.ts [--runs 20] [--warmup 1] [--skip-native]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { assertInitialized, INITIALIZE_PARAMS, JsonLineClient } from "./_rpc.ts";
import {
  fmt,
  median,
  minimum,
  num,
  percentile,
  printErrors,
  printTable,
  runCli,
} from "./_report.ts";
import { interleave, usingServer } from "./_runs.ts";
import { type CommonOptions, resolveServers, type ServerSpec } from "./_servers.ts";

export interface ColdStartOptions extends CommonOptions {
  runs?: number;
  /** Unmeasured runs first, so Deno's module cache and the page cache are warm for everyone. */
  warmup?: number;
}

export interface ColdStartResult {
  name: string;
  /** Milliseconds from spawn to the `initialize` response, one per successful run. */
  samples: number[];
  median: number;
  p90: number;
  min: number;
  error?: string;
}

/** One measured run: spawn, send `initialize` at once, wait for its response, kill. */
function measureOnce(spec: ServerSpec): Promise<number> {
  return usingServer(spec, { stdio: true }, async (server) => {
    const client = new JsonLineClient(server);
    const response = await client.request("initialize", INITIALIZE_PARAMS, 30_000);
    const elapsed = performance.now() - server.spawnedAt;
    assertInitialized(spec.name, response);
    return elapsed;
  });
}

/** Runs the cold-start comparison and returns one result per server. */
export async function runColdStart(opts: ColdStartOptions = {}): Promise<ColdStartResult[]> {
  const runs = Math.max(1, Math.min(opts.runs ?? 20, 1000));
  const warmup = Math.max(0, Math.min(opts.warmup ?? 1, 10));
  const specs = await resolveServers({ ...opts, native: opts.native ?? true });
  const outcomes = await interleave(specs, warmup + runs, measureOnce, warmup);
  return outcomes.map(({ spec, samples, error }) => {
    const result: ColdStartResult = {
      name: spec.name,
      samples,
      median: median(samples),
      p90: percentile(samples, 90),
      min: minimum(samples),
    };
    if (error) result.error = error;
    return result;
  });
}

/** Prints results as a table. */
export function printColdStart(results: ColdStartResult[]): void {
  printTable("cold start: spawn -> initialize response (stdio), ms", results, [
    ["server", (r) => r.name],
    ["runs", (r) => String(r.samples.length)],
    ["median", (r) => fmt(r.median)],
    ["p90", (r) => fmt(r.p90)],
    ["min", (r) => fmt(r.min)],
  ]);
  printErrors(results);
}

if (import.meta.main) {
  await runCli(
    { runs: { type: "string" }, warmup: { type: "string" }, "skip-native": { type: "boolean" } },
    (values, common) =>
      runColdStart({
        ...common,
        runs: num(values.runs),
        warmup: num(values.warmup),
        native: values["skip-native"] !== true,
      }),
    printColdStart,
  );
}
