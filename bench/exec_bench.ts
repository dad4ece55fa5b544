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

import { parseArgs } from "node:util";
import {
  functionCall,
  MockModelServer,
  type MockScript,
  textTurn,
  turn,
} from "../tests/support/mock_model.ts";
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
  mockSpawnOptions,
  percentile,
  print,
  resolveServers,
  type RpcMessage,
  type ServerSpec,
  sleep,
  type SpawnOptions,
  spawnServer,
  table,
  withTimeout,
} from "./_util.ts";

/** The two sandbox modes compared. */
export type ExecMode = "workspace-write" | "danger-full-access";

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

/** A workspace and an empty `HOME` for one server run; `remove()` deletes both. */
export interface ExecDirs {
  home: string;
  workspace: string;
  remove(): Promise<void>;
}

/** Creates the temp `HOME` and workspace directories. */
export async function makeExecDirs(): Promise<ExecDirs> {
  const home = await Deno.makeTempDir({ prefix: "codex-bench-home-" });
  const workspace = await Deno.makeTempDir({ prefix: "codex-bench-ws-" });
  return {
    home,
    workspace,
    async remove() {
      await Deno.remove(home, { recursive: true }).catch(() => {});
      await Deno.remove(workspace, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Spawn options for the mock provider with `approval_policy = "never"` and the given sandbox
 * mode (replacing the mock config's `sandbox_mode` line rather than adding a duplicate key), and
 * `HOME` pointed at an empty directory.
 */
export function execSpawnOptions(mockUrl: string, mode: ExecMode, home: string): SpawnOptions {
  return mockSpawnOptions(mockUrl, {
    stdio: true,
    env: { HOME: home },
    async prepareHome(codexHome) {
      const path = `${codexHome}/config.toml`;
      const text = await Deno.readTextFile(path);
      const lines = text.split("\n");
      // Only top-level keys (before the first table header) are replaced.
      const firstTable = lines.findIndex((l) => l.startsWith("["));
      const top = firstTable < 0 ? lines.length : firstTable;
      const set = (key: string, value: string) => {
        const i = lines.slice(0, top).findIndex((l) => new RegExp(`^${key}\\s*=`).test(l));
        if (i >= 0) lines[i] = `${key} = "${value}"`;
        else lines.splice(0, 0, `${key} = "${value}"`);
      };
      set("approval_policy", "never");
      set("sandbox_mode", mode);
      await Deno.writeTextFile(path, lines.join("\n"));
    },
  });
}

/** Starts a thread in `cwd` and returns its id. */
export async function startThread(client: JsonLineClient, cwd: string): Promise<string> {
  const started = await client.request("thread/start", { cwd }, 30_000);
  const threadId = (started.result as { thread?: { id?: string } } | undefined)?.thread?.id;
  if (!threadId) throw new Error(`thread/start failed: ${JSON.stringify(started)}`);
  return threadId;
}

/** Writes `turn/start` and throws on an error answer. */
export async function startTurn(client: JsonLineClient, threadId: string): Promise<void> {
  const reply = await client.request("turn/start", {
    threadId,
    input: [{ type: "text", text: "go", text_elements: [] }],
  }, 30_000);
  if (reply.error) throw new Error(`turn/start failed: ${JSON.stringify(reply.error)}`);
}

/** Throws unless a `turn/completed` notification reports status `completed`. */
export function assertTurnCompleted(msg: RpcMessage | undefined): void {
  const t = (msg?.params as { turn?: { status?: string; error?: unknown } } | undefined)?.turn;
  if (t?.status !== "completed") {
    throw new Error(`turn ended ${t?.status}: ${JSON.stringify(t?.error ?? null)}`);
  }
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
  const mock = await MockModelServer.start();
  const server = await spawnServer(spec, execSpawnOptions(mock.url, mode, dirs.home));
  try {
    const client = new JsonLineClient(server);
    assertInitialized(spec.name, await client.request("initialize", INITIALIZE_PARAMS, 30_000));
    await client.notify("initialized");

    let watch: ((msg: RpcMessage, at: number) => void) | undefined;
    client.onMessage = (msg) => watch?.(msg, performance.now());

    const runTurn = async (n: number, tag: string): Promise<ExecRep> => {
      const threadId = await startThread(client, dirs.workspace);
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
      let completion: RpcMessage | undefined;
      let completedAt = NaN;
      const done = new Promise<void>((resolve) => {
        watch = (msg, at) => {
          const params = msg.params as ItemParams | undefined;
          if (params?.threadId !== threadId) return;
          if (msg.method === "item/completed" && params.item?.type === "commandExecution") {
            const item = params.item;
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
          } else if (msg.method === "turn/completed") {
            completion = msg;
            completedAt = at;
            resolve();
          }
        };
      });
      const t0 = performance.now();
      await startTurn(client, threadId);
      await withTimeout(
        done,
        timeoutMs,
        `${spec.name} (${mode}): turn/completed (${rep.completed}/${n} commands so far)`,
      );
      watch = undefined;
      assertTurnCompleted(completion);
      rep.turnMs = completedAt - t0;
      return rep;
    };

    const warm = await runTurn(3, "warm"); // warm-up, unmeasured
    if (warm.completed !== 3) throw new Error(`warm-up completed ${warm.completed}/3 commands`);
    const measured: ExecRep[] = [];
    for (let i = 0; i < reps; i++) {
      const rep = await runTurn(commands, `r${i}`);
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
    result.allExitZero = measured.every((r) => r.completed === commands && r.exitZero === commands);
    result.failures = [...new Set(measured.flatMap((r) => r.failures))];
    const short = measured.find((r) => r.completed !== commands);
    if (short) result.failures.push(`only ${short.completed}/${commands} items completed`);
  } catch (err) {
    result.error = `${errorText(err)} | stderr: ${errorText(server.stderrTail().slice(-600))}`;
  } finally {
    await server.stop();
    await mock.close();
    await dirs.remove();
  }
  return result;
}

/** Prints the results table. */
export function printExecBench(results: ExecBenchResult[]): void {
  const first = results[0];
  if (first) {
    print(
      `command execution (stdio): one turn of ${first.commands} shell_command \`true\` calls, ` +
        `approval never, median of ${first.turnMs.length || "?"} turns`,
    );
  }
  const rows = [[
    "server",
    "sandbox",
    "turn ms",
    "min",
    "max",
    "ms/cmd",
    "durationMs p50",
    "p95",
    "gap p50 ms",
    "items",
    "all exit 0",
  ]];
  for (const r of results) {
    rows.push([
      r.name,
      r.mode,
      fmt(r.medianTurnMs, 0),
      fmt(r.turnMs.length ? Math.min(...r.turnMs) : NaN, 0),
      fmt(r.turnMs.length ? Math.max(...r.turnMs) : NaN, 0),
      fmt(r.perCommandMs, 1),
      fmt(r.durationP50, 0),
      fmt(r.durationP95, 0),
      fmt(r.gapP50, 1),
      r.error ? "-" : String(r.completed),
      r.error ? "error" : r.allExitZero ? "yes" : "NO",
    ]);
  }
  print(table(rows));
  for (const r of results) {
    if (r.error) print(`  ${r.name} (${r.mode}): ERROR ${r.error}`);
    else if (r.failures.length) print(`  ${r.name} (${r.mode}): ${r.failures.join("; ")}`);
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      ...COMMON_FLAGS,
      commands: { type: "string" },
      reps: { type: "string" },
      "timeout-ms": { type: "string" },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const results = await runExecBench({
    ...commonOptions(values),
    commands: num(values.commands),
    reps: num(values.reps),
    timeoutMs: num(values["timeout-ms"]),
  });
  if (values.json) print(JSON.stringify(results));
  else printExecBench(results);
  await sleep(0);
  Deno.exit(0);
}
