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

import { parseArgs } from "node:util";
import { functionCall, MockModelServer, textTurn, turn } from "../tests/support/mock_model.ts";
import {
  assertTurnCompleted,
  execSpawnOptions,
  makeExecDirs,
  startThread,
  startTurn,
} from "./exec_bench.ts";
import {
  assertInitialized,
  COMMON_FLAGS,
  type CommonOptions,
  commonOptions,
  errorText,
  fmt,
  INITIALIZE_PARAMS,
  JsonLineClient,
  print,
  resolveServers,
  type RpcMessage,
  type ServerSpec,
  sleep,
  spawnServer,
  table,
  treeRssMb,
  withTimeout,
} from "./_util.ts";

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
  const specs = await resolveServers(opts);
  const results: OutputStreamResult[] = [];
  for (const spec of specs) results.push(await runOne(spec, opts));
  return results;
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
  const mock = await MockModelServer.start();
  const server = await spawnServer(
    spec,
    execSpawnOptions(mock.url, "danger-full-access", dirs.home),
  );
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    const client = new JsonLineClient(server);
    assertInitialized(spec.name, await client.request("initialize", INITIALIZE_PARAMS, 30_000));
    await client.notify("initialized");

    const threadId = await startThread(client, dirs.workspace);
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
    let turnDoneAt = NaN;
    let completion: RpcMessage | undefined;
    const done = new Promise<void>((resolve) => {
      // Count and drop: nothing from a delta is kept beyond its length.
      client.onMessage = (msg) => {
        const params = msg.params as ItemParams | undefined;
        if (params?.threadId !== threadId) return;
        if (msg.method === "item/commandExecution/outputDelta") {
          result.deltas++;
          result.deltaBytes += params.delta?.length ?? 0;
        } else if (msg.method === "item/started" && params.item?.type === "commandExecution") {
          itemId ??= params.item.id;
          startedAt = performance.now();
        } else if (
          msg.method === "item/completed" && params.item?.type === "commandExecution" &&
          params.item.id === itemId
        ) {
          completedAt = performance.now();
          result.aggregatedLength = params.item.aggregatedOutput?.length ?? 0;
          result.exitCode = params.item.exitCode ?? null;
          result.itemStatus = params.item.status ?? "?";
        } else if (msg.method === "turn/completed") {
          completion = msg;
          turnDoneAt = performance.now();
          resolve();
        }
      };
    });

    await sleep(200); // let the idle server settle before the baseline
    result.rssBeforeMb = treeRssMb(server.pid);
    let peak = result.rssBeforeMb;
    sampler = setInterval(() => {
      peak = Math.max(peak, treeRssMb(server.pid));
    }, 50);
    const t0 = performance.now();
    await startTurn(client, threadId);
    await withTimeout(
      done,
      timeoutMs,
      `${spec.name}: turn/completed (${result.deltas} deltas, ${result.deltaBytes} bytes so far)`,
    );
    clearInterval(sampler);
    sampler = undefined;
    result.rssPeakMb = Math.max(peak, treeRssMb(server.pid));
    result.turnMs = turnDoneAt - t0;
    result.itemMs = completedAt - startedAt;
    result.mbPerSecond = result.deltaBytes / 1e6 / (result.itemMs / 1000);
    assertTurnCompleted(completion);
    if (Number.isNaN(completedAt)) throw new Error("no item/completed for the command");
  } catch (err) {
    result.error = `${errorText(err)} | stderr: ${errorText(server.stderrTail().slice(-600))}`;
  } finally {
    if (sampler !== undefined) clearInterval(sampler);
    await server.stop();
    await mock.close();
    await dirs.remove();
  }
  return result;
}

/** Prints the results table. */
export function printOutputStream(results: OutputStreamResult[]): void {
  const first = results[0];
  if (first) {
    print(
      `command output streaming (stdio): one shell_command printing ${first.bytes} bytes, ` +
        `danger-full-access, approval never`,
    );
  }
  const rows = [[
    "server",
    "item ms",
    "turn ms",
    "delta bytes",
    "MB/s",
    "deltas",
    "aggregated",
    "exit",
    "rss before MB",
    "rss peak MB",
  ]];
  for (const r of results) {
    rows.push([
      r.name,
      fmt(r.itemMs, 0),
      fmt(r.turnMs, 0),
      String(r.deltaBytes),
      fmt(r.mbPerSecond, 1),
      String(r.deltas),
      String(r.aggregatedLength),
      r.exitCode === null ? r.itemStatus : String(r.exitCode),
      fmt(r.rssBeforeMb, 1),
      fmt(r.rssPeakMb, 1),
    ]);
  }
  print(table(rows));
  for (const r of results) {
    if (r.error) print(`  ${r.name}: ERROR ${r.error}`);
    else if (r.deltaBytes !== r.bytes) {
      print(`  ${r.name}: deltas carried ${r.deltaBytes} of ${r.bytes} bytes`);
    }
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      ...COMMON_FLAGS,
      mb: { type: "string" },
      "timeout-ms": { type: "string" },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const results = await runOutputStream({
    ...commonOptions(values),
    mb: num(values.mb),
    timeoutMs: num(values["timeout-ms"]),
  });
  if (values.json) print(JSON.stringify(results));
  else printOutputStream(results);
  await sleep(0);
  Deno.exit(0);
}
