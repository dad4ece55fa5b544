/**
 * How a measurement runs: one server at a time or interleaved round by round, failures kept as
 * table rows, and turns against the scripted mock model (spawn options that point a server at it,
 * threads, `turn/start`, and waiting for `turn/completed` while watching the turn's events).
 *
 * @module
 */

import { join } from "node:path";
import { MockModelServer, textTurn } from "../tests/support/mock_model.ts";
import { errorText } from "./_report.ts";
import type { JsonLineClient, RpcMessage } from "./_rpc.ts";
import {
  type RunningServer,
  type ServerSpec,
  type SpawnOptions,
  spawnServer,
  withTimeout,
} from "./_servers.ts";

// --- one measurement per server ---------------------------------------------------------------

/** Spawns `spec`, runs `fn` on it and always stops it, whatever `fn` does. */
export async function usingServer<T>(
  spec: ServerSpec,
  opts: SpawnOptions,
  fn: (server: RunningServer) => Promise<T>,
): Promise<T> {
  const server = await spawnServer(spec, opts);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/**
 * Like `usingServer`, but a failure becomes `result.error` (with the server's stderr tail unless
 * `withStderr` is false) so one broken server still leaves a row in the table.
 */
export async function measureServer<R extends { error?: string }>(
  spec: ServerSpec,
  result: R,
  opts: SpawnOptions,
  fn: (server: RunningServer) => Promise<void>,
  withStderr = true,
): Promise<R> {
  await usingServer(spec, opts, async (server) => {
    try {
      await fn(server);
    } catch (err) {
      result.error = withStderr
        ? `${errorText(err)} | stderr: ${errorText(server.stderrTail().slice(-600))}`
        : errorText(err);
    }
  });
  return result;
}

/** Runs `fn` for each item, one after the other (servers must not compete for the CPU). */
export async function inSequence<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

/** What `interleave` gathered for one server. */
export interface Interleaved<T> {
  spec: ServerSpec;
  /** One per successful round after the unkept ones. */
  samples: T[];
  error?: string;
}

/**
 * Runs `measure` over the servers round by round, so background noise affects them equally;
 * the first `unkept` rounds are warm-up. A server that failed once is skipped from then on: it
 * would only add timeouts, not information.
 */
export async function interleave<T>(
  specs: readonly ServerSpec[],
  rounds: number,
  measure: (spec: ServerSpec) => Promise<T>,
  unkept = 0,
): Promise<Interleaved<T>[]> {
  const out: Interleaved<T>[] = specs.map((spec) => ({ spec, samples: [] }));
  for (let i = 0; i < rounds; i++) {
    for (const entry of out) {
      if (entry.error !== undefined) continue;
      try {
        const sample = await measure(entry.spec);
        if (i >= unkept) entry.samples.push(sample);
      } catch (err) {
        entry.error = errorText(err);
      }
    }
  }
  return out;
}

// --- turns against the scripted mock model ---------------------------------------------------

/** Environment variable holding the (fake) API key the mock provider's `env_key` names. */
export const MOCK_KEY_ENV = "CODEX_BENCH_MOCK_KEY";

/**
 * Spawn options that point a server at the mock model: the shared `mockProviderConfig` plus an
 * `env_key` (appended to the `[model_providers.mock]` table, which is the file's last table), so
 * the reference has an API key to send and never looks for a login.
 */
export function mockSpawnOptions(mockUrl: string, opts: SpawnOptions = {}): SpawnOptions {
  return {
    ...opts,
    env: { ...opts.env, [MOCK_KEY_ENV]: "bench-not-a-secret" },
    async prepareHome(home) {
      const { mockProviderConfig } = await import("../tests/support/mock_model.ts");
      await Deno.writeTextFile(
        join(home, "config.toml"),
        mockProviderConfig(mockUrl) + `env_key = "${MOCK_KEY_ENV}"\n`,
      );
      await opts.prepareHome?.(home);
    },
  };
}

/** `measureServer` with a fresh mock model of its own, closed after the server stops. */
export async function withMockServer<R extends { error?: string }>(
  spec: ServerSpec,
  result: R,
  spawnOptions: (mockUrl: string) => SpawnOptions,
  fn: (server: RunningServer, mock: MockModelServer) => Promise<void>,
): Promise<R> {
  const mock = await MockModelServer.start();
  try {
    return await measureServer(spec, result, spawnOptions(mock.url), (server) => fn(server, mock));
  } finally {
    await mock.close();
  }
}

/** The streamed text of delta `i` (distinct, short, never empty). */
export function deltaText(i: number): string {
  return `t${i} `;
}

/** The mock's answer: one message streamed as `n` deltas. */
export function manyDeltasTurn(n: number): ReturnType<typeof textTurn> {
  const deltas = Array.from({ length: n }, (_, i) => deltaText(i));
  return textTurn(deltas.join(""), { deltas });
}

/** The sandbox modes the command benches run under. */
export type ExecMode = "workspace-write" | "danger-full-access";

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
 * `HOME` pointed at an empty directory so `bash -lc` does not run this machine's `~/.bashrc`.
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

/** Sends `thread/start` with `params` and returns the new thread's id. */
export async function startThread(
  client: JsonLineClient,
  params: Record<string, unknown> = {},
): Promise<string> {
  const started = await client.request("thread/start", params, 30_000);
  const threadId = (started.result as { thread?: { id?: string } } | undefined)?.thread?.id;
  if (!threadId) throw new Error(`thread/start failed: ${JSON.stringify(started)}`);
  return threadId;
}

/** `turn/start` params for a one-line user message. */
export function turnStartParams(threadId: string, text = "go"): Record<string, unknown> {
  return { threadId, input: [{ type: "text", text, text_elements: [] }] };
}

/** Writes `turn/start` and throws on an error answer. */
export async function startTurn(client: JsonLineClient, threadId: string, text = "go") {
  const reply = await client.request("turn/start", turnStartParams(threadId, text), 30_000);
  if (reply.error) throw new Error(`turn/start failed: ${JSON.stringify(reply.error)}`);
}

/** Throws unless a `turn/completed` notification reports status `completed`; returns it. */
export function assertTurnCompleted(msg: RpcMessage | undefined): string {
  const t = (msg?.params as { turn?: { status?: string; error?: unknown } } | undefined)?.turn;
  if (t?.status !== "completed") {
    throw new Error(`turn ended ${t?.status}: ${JSON.stringify(t?.error ?? null)}`);
  }
  return t.status;
}

/** How one turn went, as `runTurn` saw it. */
export interface TurnTiming {
  /** `performance.now()` just before `turn/start` was written. */
  t0: number;
  /** ms from writing `turn/start` to reading `turn/completed`. */
  turnMs: number;
  /** The `turn/completed` notification (not checked: see `assertTurnCompleted`). */
  completion: RpcMessage | undefined;
}

/** What `runTurn` needs besides the thread. */
export interface TurnOptions {
  /** The user message (default "go"). */
  text?: string;
  timeoutMs: number;
  /** Labels a time-out; called once `turn/start` was answered, so it can say how far it got. */
  what: () => string;
  /** Every other notification of the thread, with its arrival time (`performance.now()`). */
  onEvent?: (msg: RpcMessage, at: number) => void;
}

/** Starts a turn on `threadId` and waits for its `turn/completed`, feeding its events to `onEvent`. */
export async function runTurn(
  client: JsonLineClient,
  threadId: string,
  opts: TurnOptions,
): Promise<TurnTiming> {
  let completion: RpcMessage | undefined;
  let completedAt = NaN;
  const done = new Promise<void>((resolve) => {
    client.onMessage = (msg) => {
      const at = performance.now();
      if ((msg.params as { threadId?: string } | undefined)?.threadId !== threadId) return;
      if (msg.method !== "turn/completed") return opts.onEvent?.(msg, at);
      completion = msg;
      completedAt = at;
      resolve();
    };
  });
  try {
    const t0 = performance.now();
    await startTurn(client, threadId, opts.text);
    await withTimeout(done, opts.timeoutMs, opts.what());
    return { t0, turnMs: completedAt - t0, completion };
  } finally {
    client.onMessage = undefined;
  }
}
