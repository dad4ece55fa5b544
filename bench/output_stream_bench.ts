/**
 * Command output streaming: one `shell_command` that prints `--mb` (default 50) MB of `a`
 * (`head -c N /dev/zero | tr '\0' a`) under `danger-full-access` with `approval_policy =
 * "never"`, then a final text answer.
 *
 * Reported per server: time from the command's `item/started` to its `item/completed`, the
 * bytes delivered in `item/commandExecution/outputDelta` notifications (sum of the delta
 * lengths; the output is ASCII so characters are bytes) and the delivery rate over that time,
 * the number of delta notifications, the length of the completed item's `aggregatedOutput`, its
 * exit code, and the server process tree's RSS before the turn and at its peak during the turn
 * (sampled every 50 ms).
 *
 * Notifications are counted and dropped as they are read, so the client never holds the output.
 *
 * Usage: deno run -A bench/output_stream_bench.ts [--mb 50] [--timeout-ms 360000]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { functionCall, textTurn, turn } from "../tests/support/mock_model.ts";
import { initializeClient } from "./_rpc.ts";
import { fmt, num, print, printTable, runCli } from "./_report.ts";
import {
  assertTurnCompleted,
  execSpawnOptions,
  inSequence,
  makeExecDirs,
  runTurn,
  startThread,
  withMockServer,
} from "./_runs.ts";
import {
  type CommonOptions,
  resolveServers,
  type ServerSpec,
  sleep,
  treeRssMb,
} from "./_servers.ts";

export interface OutputStreamOptions extends CommonOptions {
  /** Megabytes (10^6 bytes) the command prints. */
  mb?: number;
  /** Limit for the whole turn. */
  timeoutMs?: number;
}

export interface OutputStreamResult {
  name: string;
  /** Bytes the command printed. */
  bytes: number;
  /** ms from the command's `item/started` to its `item/completed`. */
  itemMs: number;
  /** ms from writing `turn/start` to reading `turn/completed`. */
  turnMs: number;
  /** Sum of the outputDelta `delta` lengths. */
  deltaBytes: number;
  /** Number of outputDelta notifications. */
  deltas: number;
  /** deltaBytes / itemMs, in MB/s (10^6 bytes). */
  mbPerSecond: number;
  /** Length of the completed item's `aggregatedOutput` (0 when null). */
  aggregatedLength: number;
  exitCode: number | null;
  itemStatus: string;
  /** Server tree RSS just before `turn/start`, MB. */
  rssBeforeMb: number;
  /** Highest server tree RSS sampled during the turn, MB. */
  rssPeakMb: number;
  error?: string;
}

interface ItemParams {
  threadId?: string;
  itemId?: string;
  delta?: string;
  item?: {
    type?: string;
    id?: string;
    status?: string;
    exitCode?: number | null;
    aggregatedOutput?: string | null;
  };
}

/** Runs the comparison, one server after the other (each with its own mock). */
export async function runOutputStream(
  opts: OutputStreamOptions = {},
): Promise<OutputStreamResult[]> {
  return inSequence(await resolveServers(opts), (spec) => runOne(spec, opts));
}

async function runOne(spec: ServerSpec, opts: OutputStreamOptions): Promise<OutputStreamResult> {
  const mb = Math.max(0.001, Math.min(opts.mb ?? 50, 2_000));
  const bytes = Math.round(mb * 1_000_000);
  const timeoutMs = opts.timeoutMs ?? 360_000;
  const result: OutputStreamResult = {
    name: spec.name,
    bytes,
    itemMs: NaN,
    turnMs: NaN,
    deltaBytes: 0,
    deltas: 0,
    mbPerSecond: NaN,
    aggregatedLength: 0,
    exitCode: null,
    itemStatus: "-",
    rssBeforeMb: NaN,
    rssPeakMb: NaN,
  };
  const dirs = await makeExecDirs();
  const spawnOptions = (url: string) => execSpawnOptions(url, "danger-full-access", dirs.home);
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    return await withMockServer(spec, result, spawnOptions, async (server, mock) => {
      const client = await initializeClient(server);
      const threadId = await startThread(client, { cwd: dirs.workspace });
      const command = `head -c ${bytes} /dev/zero | tr '\\0' a`;
      mock.enqueue(
        turn([functionCall(
          "shell_command",
          { command, workdir: dirs.workspace, timeout_ms: 300_000 },
          "call_stream",
        )]),
        textTurn("done"),
      );

      let itemId: string | undefined;
      let startedAt = NaN;
      let completedAt = NaN;
      await sleep(200); // let the idle server settle before the baseline
      result.rssBeforeMb = treeRssMb(server.pid);
      let peak = result.rssBeforeMb;
      sampler = setInterval(() => {
        peak = Math.max(peak, treeRssMb(server.pid));
      }, 50);
      const t = await runTurn(client, threadId, {
        timeoutMs,
        what: () =>
          `${spec.name}: turn/completed (${result.deltas} deltas, ${result.deltaBytes} bytes so far)`,
        // Count and drop: nothing from a delta is kept beyond its length.
        onEvent(msg, at) {
          const params = msg.params as ItemParams;
          const isCommand = params.item?.type === "commandExecution";
          if (msg.method === "item/commandExecution/outputDelta") {
            result.deltas++;
            result.deltaBytes += params.delta?.length ?? 0;
          } else if (msg.method === "item/started" && isCommand) {
            itemId ??= params.item?.id;
            startedAt = at;
          } else if (msg.method === "item/completed" && isCommand && params.item?.id === itemId) {
            completedAt = at;
            result.aggregatedLength = params.item?.aggregatedOutput?.length ?? 0;
            result.exitCode = params.item?.exitCode ?? null;
            result.itemStatus = params.item?.status ?? "?";
          }
        },
      });
      clearInterval(sampler);
      sampler = undefined;
      result.rssPeakMb = Math.max(peak, treeRssMb(server.pid));
      result.turnMs = t.turnMs;
      result.itemMs = completedAt - startedAt;
      result.mbPerSecond = result.deltaBytes / 1e6 / (result.itemMs / 1000);
      assertTurnCompleted(t.completion);
      if (Number.isNaN(completedAt)) throw new Error("no item/completed for the command");
    });
  } finally {
    if (sampler !== undefined) clearInterval(sampler);
    await dirs.remove();
  }
}

/** Prints the results table. */
export function printOutputStream(results: OutputStreamResult[]): void {
  const title = (first: OutputStreamResult) =>
    `command output streaming (stdio): one shell_command printing ${first.bytes} bytes, ` +
    `danger-full-access, approval never`;
  printTable(title, results, [
    ["server", (r) => r.name],
    ["item ms", (r) => fmt(r.itemMs, 0)],
    ["turn ms", (r) => fmt(r.turnMs, 0)],
    ["delta bytes", (r) => String(r.deltaBytes)],
    ["MB/s", (r) => fmt(r.mbPerSecond, 1)],
    ["deltas", (r) => String(r.deltas)],
    ["aggregated", (r) => String(r.aggregatedLength)],
    ["exit", (r) => r.exitCode === null ? r.itemStatus : String(r.exitCode)],
    ["rss before MB", (r) => fmt(r.rssBeforeMb, 1)],
    ["rss peak MB", (r) => fmt(r.rssPeakMb, 1)],
  ]);
  for (const r of results) {
    if (r.error) print(`  ${r.name}: ERROR ${r.error}`);
    else if (r.deltaBytes !== r.bytes) {
      print(`  ${r.name}: deltas carried ${r.deltaBytes} of ${r.bytes} bytes`);
    }
  }
}

if (import.meta.main) {
  await runCli(
    { mb: { type: "string" }, "timeout-ms": { type: "string" } },
    (values, common) =>
      runOutputStream({ ...common, mb: num(values.mb), timeoutMs: num(values["timeout-ms"]) }),
    printOutputStream,
  );
}
