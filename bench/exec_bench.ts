/**
 * Command execution overhead: one turn whose first model response holds `--commands` (default
 * 100) `shell_command` calls running `true`, auto-approved (`approval_policy = "never"`), then a
 * final text answer. Measured for each server in two modes: sandboxed (`workspace-write`) and
 * not (`danger-full-access`).
 *
 * Reported per server and mode (median rep of `--reps` measured turns, each on a fresh thread,
 * after one small warm-up turn): the turn time (`turn/start` written → `turn/completed` read),
 * that time per command, median and p95 of the items' `durationMs`, the median wall-clock gap
 * between consecutive `item/completed` notifications of `commandExecution` items, and whether
 * every item completed with exit code 0.
 *
 * Both servers get `HOME=<empty temp dir>` so the `bash -lc` login shells do not run this
 * machine's `~/.bashrc`.
 *
 * Usage: deno run -A bench/exec_bench.ts [--commands 100] [--reps 3] [--timeout-ms 180000]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { functionCall, type MockScript, textTurn, turn } from "../tests/support/mock_model.ts";
import { initializeClient } from "./_rpc.ts";
import {
  fmt,
  maximum,
  median,
  minimum,
  num,
  percentile,
  print,
  printErrors,
  printTable,
  runCli,
} from "./_report.ts";
import {
  assertTurnCompleted,
  type ExecMode,
  execSpawnOptions,
  makeExecDirs,
  runTurn,
  startThread,
  withMockServer,
} from "./_runs.ts";
import { type CommonOptions, resolveServers, type ServerSpec } from "./_servers.ts";

export type { ExecMode } from "./_runs.ts";

/** The two sandbox modes compared. */
export const EXEC_MODES: readonly ExecMode[] = ["workspace-write", "danger-full-access"];

export interface ExecBenchOptions extends CommonOptions {
  /** `shell_command` calls in the measured turn's first response. */
  commands?: number;
  reps?: number;
  /** Limit for one measured turn. */
  timeoutMs?: number;
  /** Modes to run (default: both). */
  modes?: readonly ExecMode[];
}

/** One measured turn. */
export interface ExecRep {
  turnMs: number;
  /** Items' `durationMs`, in completion order. */
  durations: number[];
  /** Gaps (ms) between consecutive `item/completed` arrivals. */
  gaps: number[];
  /** commandExecution items completed. */
  completed: number;
  /** Items whose `exitCode` was 0 (and status `completed`). */
  exitZero: number;
  /** A few distinct non-zero outcomes, for the notes. */
  failures: string[];
}

export interface ExecBenchResult {
  name: string;
  mode: ExecMode;
  commands: number;
  /** Per measured turn: ms from writing `turn/start` to reading `turn/completed`. */
  turnMs: number[];
  /** The median rep's turn time. */
  medianTurnMs: number;
  /** `medianTurnMs / commands`. */
  perCommandMs: number;
  /** Median and p95 of the median rep's items' `durationMs`. */
  durationP50: number;
  durationP95: number;
  /** Median gap between consecutive `item/completed` of the median rep. */
  gapP50: number;
  /** commandExecution items completed in the median rep. */
  completed: number;
  /** True when every item of every measured rep completed with exit code 0. */
  allExitZero: boolean;
  failures: string[];
  error?: string;
}

/** The mock's answers for one turn: `n` `shell_command` calls running `true`, then "done". */
function commandsTurn(n: number, workdir: string, tag: string): MockScript[] {
  const calls = Array.from(
    { length: n },
    (_, i) =>
      functionCall(
        "shell_command",
        { command: "true", workdir, timeout_ms: 60_000 },
        `call_${tag}_${i}`,
      ),
  );
  return [turn(calls), textTurn("done")];
}

interface ItemParams {
  threadId?: string;
  item?: {
    type?: string;
    id?: string;
    status?: string;
    exitCode?: number | null;
    durationMs?: number | null;
  };
}

/** Runs every mode for every server, one server process per (server, mode). */
export async function runExecBench(opts: ExecBenchOptions = {}): Promise<ExecBenchResult[]> {
  const specs = await resolveServers(opts);
  const results: ExecBenchResult[] = [];
  for (const mode of opts.modes ?? EXEC_MODES) {
    for (const spec of specs) results.push(await runOne(spec, mode, opts));
  }
  return results;
}

async function runOne(
  spec: ServerSpec,
  mode: ExecMode,
  opts: ExecBenchOptions,
): Promise<ExecBenchResult> {
  const commands = Math.max(1, Math.min(opts.commands ?? 100, 10_000));
  const reps = Math.max(1, Math.min(opts.reps ?? 3, 20));
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const result: ExecBenchResult = {
    name: spec.name,
    mode,
    commands,
    turnMs: [],
    medianTurnMs: NaN,
    perCommandMs: NaN,
    durationP50: NaN,
    durationP95: NaN,
    gapP50: NaN,
    completed: 0,
    allExitZero: false,
    failures: [],
  };
  const dirs = await makeExecDirs();
  try {
    return await withMockServer(
      spec,
      result,
      (url) => execSpawnOptions(url, mode, dirs.home),
      async (server, mock) => {
        const client = await initializeClient(server);

        const runCommandsTurn = async (n: number, tag: string): Promise<ExecRep> => {
          const threadId = await startThread(client, { cwd: dirs.workspace });
          mock.enqueue(...commandsTurn(n, dirs.workspace, tag));
          const rep: ExecRep = {
            turnMs: NaN,
            durations: [],
            gaps: [],
            completed: 0,
            exitZero: 0,
            failures: [],
          };
          let lastCompletedAt = NaN;
          const t = await runTurn(client, threadId, {
            timeoutMs,
            what: () =>
              `${spec.name} (${mode}): turn/completed (${rep.completed}/${n} commands so far)`,
            onEvent(msg, at) {
              const item = (msg.params as ItemParams).item;
              if (msg.method !== "item/completed" || item?.type !== "commandExecution") return;
              rep.completed++;
              if (typeof item.durationMs === "number") rep.durations.push(item.durationMs);
              if (!Number.isNaN(lastCompletedAt)) rep.gaps.push(at - lastCompletedAt);
              lastCompletedAt = at;
              if (item.exitCode === 0 && item.status === "completed") rep.exitZero++;
              else {
                const what = `status=${item.status} exitCode=${item.exitCode}`;
                if (rep.failures.length < 3 && !rep.failures.includes(what)) {
                  rep.failures.push(what);
                }
              }
            },
          });
          assertTurnCompleted(t.completion);
          rep.turnMs = t.turnMs;
          return rep;
        };

        const warm = await runCommandsTurn(3, "warm"); // warm-up, unmeasured
        if (warm.completed !== 3) throw new Error(`warm-up completed ${warm.completed}/3 commands`);
        const measured: ExecRep[] = [];
        for (let i = 0; i < reps; i++) {
          const rep = await runCommandsTurn(commands, `r${i}`);
          measured.push(rep);
          result.turnMs.push(rep.turnMs);
        }
        // The median rep (by turn time) supplies the per-item figures.
        const sorted = [...measured].sort((a, b) => a.turnMs - b.turnMs);
        const mid = sorted[Math.ceil(sorted.length / 2) - 1]!;
        result.medianTurnMs = mid.turnMs;
        result.perCommandMs = mid.turnMs / commands;
        result.durationP50 = median(mid.durations);
        result.durationP95 = percentile(mid.durations, 95);
        result.gapP50 = median(mid.gaps);
        result.completed = mid.completed;
        result.allExitZero = measured.every((r) =>
          r.completed === commands && r.exitZero === commands
        );
        result.failures = [...new Set(measured.flatMap((r) => r.failures))];
        const short = measured.find((r) => r.completed !== commands);
        if (short) result.failures.push(`only ${short.completed}/${commands} items completed`);
      },
    );
  } finally {
    await dirs.remove();
  }
}

/** Prints the results table. */
export function printExecBench(results: ExecBenchResult[]): void {
  const title = (first: ExecBenchResult) =>
    `command execution (stdio): one turn of ${first.commands} shell_command \`true\` calls, ` +
    `approval never, median of ${first.turnMs.length || "?"} turns`;
  printTable(title, results, [
    ["server", (r) => r.name],
    ["sandbox", (r) => r.mode],
    ["turn ms", (r) => fmt(r.medianTurnMs, 0)],
    ["min", (r) => fmt(minimum(r.turnMs), 0)],
    ["max", (r) => fmt(maximum(r.turnMs), 0)],
    ["ms/cmd", (r) => fmt(r.perCommandMs, 1)],
    ["durationMs p50", (r) => fmt(r.durationP50, 0)],
    ["p95", (r) => fmt(r.durationP95, 0)],
    ["gap p50 ms", (r) => fmt(r.gapP50, 1)],
    ["items", (r) => r.error ? "-" : String(r.completed)],
    ["all exit 0", (r) => r.error ? "error" : r.allExitZero ? "yes" : "NO"],
  ]);
  for (const r of results) {
    if (r.error) printErrors([r], (r) => `${r.name} (${r.mode})`);
    else if (r.failures.length) print(`  ${r.name} (${r.mode}): ${r.failures.join("; ")}`);
  }
}

if (import.meta.main) {
  await runCli(
    { commands: { type: "string" }, reps: { type: "string" }, "timeout-ms": { type: "string" } },
    (values, common) =>
      runExecBench({
        ...common,
        commands: num(values.commands),
        reps: num(values.reps),
        timeoutMs: num(values["timeout-ms"]),
      }),
    printExecBench,
  );
}
