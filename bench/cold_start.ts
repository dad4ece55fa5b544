/**
 * Cold start: time from spawning `app-server` (stdio) to receiving the `initialize` response.
 * Servers are interleaved run by run so background noise affects them equally.
 *
 * Usage: deno run --allow-all bench/cold_start.ts [--runs 20] [--warmup 1] [--skip-native]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  assertInitialized,
  COMMON_FLAGS,
  type CommonOptions,
  commonOptions,
  errorText,
  fmt,
  INITIALIZE_PARAMS,
  JsonLineClient,
  median,
  minimum,
  percentile,
  print,
  resolveServers,
  type ServerSpec,
  spawnServer,
  table,
} from "./_util.ts";

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
async function measureOnce(spec: ServerSpec): Promise<number> {
  const server = await spawnServer(spec, { stdio: true });
  try {
    const client = new JsonLineClient(server);
    const response = await client.request("initialize", INITIALIZE_PARAMS, 30_000);
    const elapsed = performance.now() - server.spawnedAt;
    assertInitialized(spec.name, response);
    return elapsed;
  } finally {
    await server.stop();
  }
}

/** Runs the cold-start comparison and returns one result per server. */
export async function runColdStart(opts: ColdStartOptions = {}): Promise<ColdStartResult[]> {
  const runs = Math.max(1, Math.min(opts.runs ?? 20, 1000));
  const warmup = Math.max(0, Math.min(opts.warmup ?? 1, 10));
  const specs = await resolveServers({ ...opts, native: opts.native ?? true });
  const samples = new Map<string, number[]>(specs.map((s) => [s.name, []]));
  const errors = new Map<string, string>();

  for (let i = 0; i < warmup + runs; i++) {
    for (const spec of specs) {
      // A server that failed once is skipped: it would only add timeouts, not information.
      if (errors.has(spec.name)) continue;
      try {
        const ms = await measureOnce(spec);
        if (i >= warmup) samples.get(spec.name)!.push(ms);
      } catch (err) {
        errors.set(spec.name, errorText(err));
      }
    }
  }

  return specs.map((spec) => {
    const s = samples.get(spec.name)!;
    const result: ColdStartResult = {
      name: spec.name,
      samples: s,
      median: median(s),
      p90: percentile(s, 90),
      min: minimum(s),
    };
    const error = errors.get(spec.name);
    if (error) result.error = error;
    return result;
  });
}

/** Prints results as a table. */
export function printColdStart(results: ColdStartResult[]): void {
  print("cold start: spawn -> initialize response (stdio), ms");
  const rows = [["server", "runs", "median", "p90", "min"]];
  for (const r of results) {
    rows.push([r.name, String(r.samples.length), fmt(r.median), fmt(r.p90), fmt(r.min)]);
  }
  print(table(rows));
  for (const r of results) if (r.error) print(`  ${r.name}: ERROR ${r.error}`);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      ...COMMON_FLAGS,
      runs: { type: "string" },
      warmup: { type: "string" },
      "skip-native": { type: "boolean" },
    },
  });
  const results = await runColdStart({
    ...commonOptions(values),
    runs: values.runs ? Number(values.runs) : undefined,
    warmup: values.warmup ? Number(values.warmup) : undefined,
    native: values["skip-native"] !== true,
  });
  if (values.json) print(JSON.stringify(results));
  else printColdStart(results);
}
