/**
 * Memory with many loaded idle threads: start `app-server` (stdio, pointed at the mock model so
 * no real provider is configured), `initialize`, sample the process tree's RSS, then issue N
 * `thread/start` calls (default 1,000; 8 in flight), wait for things to settle and sample again.
 * RSS is VmRSS summed over the server process and all its descendants (for the reference: the
 * node wrapper plus the native binary, plus any helper processes still alive).
 *
 * `thread/start` does not call the model, and a thread with no turn has no rollout on disk yet,
 * so this measures the in-memory cost of a loaded thread. Also reported: `thread/start`
 * throughput and the number of threads `thread/loaded/list` reports afterwards.
 *
 * The reference as shipped (feature `shell_snapshot` on) starts a login shell per thread and
 * keeps it, and manages about 2 `thread/start` per second here; so every server gets a time
 * budget (`--budget-s`, default 45): when it runs out, the RSS is measured with the threads
 * started so far and the RSS at N threads is projected from the per-thread cost (marked "~").
 * The reference is also run with `--disable shell_snapshot` ("ref -shell_snapshot").
 *
 * Usage: deno run --allow-all bench/loaded_threads_rss.ts [--threads 1000] [--window 8]
 *        [--settle-ms 2000] [--budget-s 45] [--skip-ref-no-snapshot] [--skip-ours] [--skip-ref]
 *        [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { initializeClient } from "./_rpc.ts";
import { fmt, num, print, printTable, runCli } from "./_report.ts";
import { inSequence, mockSpawnOptions, withMockServer } from "./_runs.ts";
import {
  type CommonOptions,
  type ProcRss,
  resolveServers,
  type ServerSpec,
  sleep,
  sumRssMb,
  treeRss,
} from "./_servers.ts";

export interface LoadedThreadsOptions extends CommonOptions {
  threads?: number;
  window?: number;
  settleMs?: number;
  /** Stop issuing `thread/start` after this many seconds (the rest is projected). */
  budgetSeconds?: number;
  /** Also run the reference with `--disable shell_snapshot` (default true). */
  refWithoutSnapshot?: boolean;
}

export interface LoadedThreadsResult {
  name: string;
  threads: number;
  /** Successful `thread/start` answers. */
  started: number;
  baselineMb: number;
  loadedMb: number;
  /** (loaded - baseline) / started, KB. */
  perThreadKb: number;
  /** Stopped by the time budget before `threads` were started. */
  budgetHit: boolean;
  /** Baseline + perThread x threads (equals `loadedMb` when every thread started), MB. */
  projectedMb: number;
  startsPerSecond: number;
  /** Threads counted by `thread/loaded/list` (all pages). */
  loadedListed: number;
  /** Process breakdown after loading. */
  processes: ProcRss[];
  error?: string;
}

/** Runs the comparison, one server after the other. */
export async function runLoadedThreads(
  opts: LoadedThreadsOptions = {},
): Promise<LoadedThreadsResult[]> {
  const specs = await resolveServers(opts);
  // The reference as shipped takes a shell snapshot (a login bash it keeps) per thread, which
  // is slow and costs memory; it is also measured with that feature off.
  const ref = specs.find((s) => s.name === "reference");
  if (ref && opts.refWithoutSnapshot !== false) {
    specs.push({
      name: "ref -shell_snapshot",
      cmd: ref.cmd,
      args: [...ref.args, "--disable", "shell_snapshot"],
    });
  }
  return inSequence(specs, (spec) => runOne(spec, opts));
}

function runOne(spec: ServerSpec, opts: LoadedThreadsOptions): Promise<LoadedThreadsResult> {
  const threads = Math.max(1, Math.min(opts.threads ?? 1000, 100_000));
  const window = Math.max(1, Math.min(opts.window ?? 8, 256));
  const settleMs = Math.max(0, Math.min(opts.settleMs ?? 2000, 60_000));
  const budgetMs = Math.max(1, Math.min(opts.budgetSeconds ?? 45, 3600)) * 1000;
  const result: LoadedThreadsResult = {
    name: spec.name,
    threads,
    started: 0,
    baselineMb: NaN,
    loadedMb: NaN,
    perThreadKb: NaN,
    budgetHit: false,
    projectedMb: NaN,
    startsPerSecond: NaN,
    loadedListed: NaN,
    processes: [],
  };
  const spawnOptions = (url: string) => mockSpawnOptions(url, { stdio: true });
  return withMockServer(spec, result, spawnOptions, async (server) => {
    const client = await initializeClient(server);
    await sleep(settleMs);
    result.baselineMb = sumRssMb(treeRss(server.pid));

    let next = 0;
    const errors: string[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: window }, async () => {
      while (next < threads && errors.length === 0) {
        if (performance.now() - t0 > budgetMs) {
          result.budgetHit = true;
          break;
        }
        next++;
        const msg = await client.request("thread/start", {}, 60_000);
        if (msg.error) errors.push(JSON.stringify(msg.error));
        else result.started++;
      }
    }));
    result.startsPerSecond = result.started / ((performance.now() - t0) / 1000);
    if (errors.length) throw new Error(`thread/start failed: ${errors[0]}`);

    let cursor: string | null = null;
    let listed = 0;
    for (let page = 0; page < 1000; page++) {
      const params: Record<string, unknown> = { limit: 1000 };
      if (cursor) params.cursor = cursor;
      const msg = await client.request("thread/loaded/list", params, 30_000);
      if (msg.error) break;
      const r = msg.result as { data?: unknown[]; nextCursor?: string | null };
      listed += r.data?.length ?? 0;
      cursor = r.nextCursor ?? null;
      if (!cursor) break;
    }
    result.loadedListed = listed;

    await sleep(settleMs);
    result.processes = treeRss(server.pid);
    result.loadedMb = sumRssMb(result.processes);
    result.perThreadKb = ((result.loadedMb - result.baselineMb) * 1024) / result.started;
    result.projectedMb = result.baselineMb + (result.perThreadKb * threads) / 1024;
  });
}

/** Prints the results table with the per-process breakdown. */
export function printLoadedThreads(results: LoadedThreadsResult[]): void {
  const n = results[0]?.threads;
  printTable(
    (first) => `RSS with ${first.threads} loaded idle threads (stdio), whole process tree, MB`,
    results,
    [
      ["server", (r) => r.name],
      ["started", (r) => String(r.started)],
      ["loaded/list", (r) => Number.isNaN(r.loadedListed) ? "n/a" : String(r.loadedListed)],
      ["baseline MB", (r) => fmt(r.baselineMb)],
      ["loaded MB", (r) => fmt(r.loadedMb)],
      ["KB/thread", (r) => fmt(r.perThreadKb, 0)],
      [`MB @${n ?? "N"}`, (r) => r.budgetHit ? `~${fmt(r.projectedMb)}` : fmt(r.projectedMb)],
      ["starts/s", (r) => fmt(r.startsPerSecond, 1)],
      ["processes", (r) => summarizeProcs(r.processes) || "-"],
    ],
  );
  for (const r of results) {
    if (r.budgetHit) {
      print(
        `  ${r.name}: time budget hit after ${r.started} thread/start calls; ` +
          `MB @${r.threads} (~) is projected from its KB/thread`,
      );
    }
    if (r.error) print(`  ${r.name}: ERROR ${r.error}`);
  }
}

/** "node 43.1 + codex 648.0 + 120 x bash (3.1 each)": same-named processes grouped. */
function summarizeProcs(procs: ProcRss[]): string {
  const groups = new Map<string, number[]>();
  for (const p of procs) groups.set(p.comm, [...(groups.get(p.comm) ?? []), p.rssKb / 1024]);
  return [...groups].map(([comm, mbs]) =>
    mbs.length === 1
      ? `${comm} ${fmt(mbs[0])}`
      : `${mbs.length} x ${comm} (${fmt(mbs.reduce((a, b) => a + b, 0))})`
  ).join(" + ") || "-";
}

if (import.meta.main) {
  await runCli(
    {
      threads: { type: "string" },
      window: { type: "string" },
      "settle-ms": { type: "string" },
      "budget-s": { type: "string" },
      "skip-ref-no-snapshot": { type: "boolean" },
    },
    (values, common) =>
      runLoadedThreads({
        ...common,
        threads: num(values.threads),
        window: num(values.window),
        settleMs: num(values["settle-ms"]),
        budgetSeconds: num(values["budget-s"]),
        refWithoutSnapshot: values["skip-ref-no-snapshot"] !== true,
      }),
    printLoadedThreads,
  );
}
