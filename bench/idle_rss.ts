/**
 * Idle memory: start `app-server` (stdio), initialize, wait, then sum VmRSS over the whole process
 * tree (the reference is a node wrapper around a native binary; ours may be a wrapper too).
 *
 * Usage: deno run --allow-all bench/idle_rss.ts [--reps 3] [--settle-ms 1000] [--skip-native]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { initializeClient } from "./_rpc.ts";
import { fmt, maximum, median, minimum, num, printErrors, printTable, runCli } from "./_report.ts";
import { interleave, usingServer } from "./_runs.ts";
import {
  type CommonOptions,
  type ProcRss,
  resolveServers,
  type ServerSpec,
  sleep,
  sumRssMb,
  treeRss,
} from "./_servers.ts";

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

function measureOnce(spec: ServerSpec, settleMs: number): Promise<ProcRss[]> {
  return usingServer(spec, { stdio: true }, async (server) => {
    await initializeClient(server);
    await sleep(settleMs);
    const procs = treeRss(server.pid);
    if (procs.length === 0) throw new Error(`${spec.name} exited while idle`);
    return procs;
  });
}

/** Runs the idle-RSS comparison and returns one result per server. */
export async function runIdleRss(opts: IdleRssOptions = {}): Promise<IdleRssResult[]> {
  const reps = Math.max(1, Math.min(opts.reps ?? 3, 50));
  const settleMs = Math.max(0, Math.min(opts.settleMs ?? 1000, 60_000));
  const specs = await resolveServers({ ...opts, native: opts.native ?? true });
  const outcomes = await interleave(specs, reps, (spec) => measureOnce(spec, settleMs));
  return outcomes.map(({ spec, samples, error }) => {
    const samplesMb = samples.map(sumRssMb);
    const result: IdleRssResult = {
      name: spec.name,
      samplesMb,
      medianMb: median(samplesMb),
      processes: samples.at(-1) ?? [],
    };
    if (error) result.error = error;
    return result;
  });
}

/** Prints results as a table plus the per-process breakdown. */
export function printIdleRss(results: IdleRssResult[]): void {
  printTable("idle RSS after initialize (stdio), whole process tree, MB", results, [
    ["server", (r) => r.name],
    ["reps", (r) => String(r.samplesMb.length)],
    ["median", (r) => fmt(r.medianMb)],
    ["min", (r) => fmt(minimum(r.samplesMb))],
    ["max", (r) => fmt(maximum(r.samplesMb))],
    [
      "processes (last rep)",
      (r) => r.processes.map((p) => `${p.comm} ${fmt(p.rssKb / 1024)}`).join(" + ") || "-",
    ],
  ]);
  printErrors(results);
}

if (import.meta.main) {
  await runCli(
    {
      reps: { type: "string" },
      "settle-ms": { type: "string" },
      "skip-native": { type: "boolean" },
    },
    (values, common) =>
      runIdleRss({
        ...common,
        reps: num(values.reps),
        settleMs: num(values["settle-ms"]),
        native: values["skip-native"] !== true,
      }),
    printIdleRss,
  );
}
