/**
 * Idle memory: start `app-server` (stdio), initialize, wait, then sum VmRSS over the whole process
 * tree (the reference is a node wrapper around a native binary; ours may be a wrapper too).
 *
 * Usage: deno run --allow-all bench/idle_rss.ts [--reps 3] [--settle-ms 1000] [--skip-native]
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
  print,
  type ProcRss,
  resolveServers,
  type ServerSpec,
  sleep,
  spawnServer,
  table,
  treeRss,
} from "./_util.ts";

export interface IdleRssOptions extends CommonOptions {
  reps?: number;
  /** How long to sit idle after `initialize` before sampling. */
  settleMs?: number;
}

export interface IdleRssResult {
  name: string;
  /** Total tree RSS in MB, one per successful repetition. */
  samplesMb: number[];
  medianMb: number;
  /** Per-process breakdown of the last repetition. */
  processes: ProcRss[];
  error?: string;
}

async function measureOnce(spec: ServerSpec, settleMs: number): Promise<ProcRss[]> {
  const server = await spawnServer(spec, { stdio: true });
  try {
    const client = new JsonLineClient(server);
    assertInitialized(spec.name, await client.request("initialize", INITIALIZE_PARAMS, 30_000));
    await client.notify("initialized");
    await sleep(settleMs);
    const procs = treeRss(server.pid);
    if (procs.length === 0) throw new Error(`${spec.name} exited while idle`);
    return procs;
  } finally {
    await server.stop();
  }
}

/** Runs the idle-RSS comparison and returns one result per server. */
export async function runIdleRss(opts: IdleRssOptions = {}): Promise<IdleRssResult[]> {
  const reps = Math.max(1, Math.min(opts.reps ?? 3, 50));
  const settleMs = Math.max(0, Math.min(opts.settleMs ?? 1000, 60_000));
  const specs = await resolveServers({ ...opts, native: opts.native ?? true });
  const results: IdleRssResult[] = specs.map((s) => ({
    name: s.name,
    samplesMb: [],
    medianMb: NaN,
    processes: [],
  }));

  for (let i = 0; i < reps; i++) {
    for (const [k, spec] of specs.entries()) {
      const result = results[k]!;
      if (result.error) continue;
      try {
        const procs = await measureOnce(spec, settleMs);
        result.samplesMb.push(procs.reduce((sum, p) => sum + p.rssKb, 0) / 1024);
        result.processes = procs;
      } catch (err) {
        result.error = errorText(err);
      }
    }
  }
  for (const r of results) r.medianMb = median(r.samplesMb);
  return results;
}

/** Prints results as a table plus the per-process breakdown. */
export function printIdleRss(results: IdleRssResult[]): void {
  print("idle RSS after initialize (stdio), whole process tree, MB");
  const rows = [["server", "reps", "median", "min", "max", "processes (last rep)"]];
  for (const r of results) {
    const procs = r.processes.map((p) => `${p.comm} ${fmt(p.rssKb / 1024)}`).join(" + ");
    rows.push([
      r.name,
      String(r.samplesMb.length),
      fmt(r.medianMb),
      fmt(r.samplesMb.length ? Math.min(...r.samplesMb) : NaN),
      fmt(r.samplesMb.length ? Math.max(...r.samplesMb) : NaN),
      procs || "-",
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
      reps: { type: "string" },
      "settle-ms": { type: "string" },
      "skip-native": { type: "boolean" },
    },
  });
  const results = await runIdleRss({
    ...commonOptions(values),
    reps: values.reps ? Number(values.reps) : undefined,
    settleMs: values["settle-ms"] ? Number(values["settle-ms"]) : undefined,
    native: values["skip-native"] !== true,
  });
  if (values.json) print(JSON.stringify(results));
  else printIdleRss(results);
}
