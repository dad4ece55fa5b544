/**
 * Shared setup for the black-box thread and turn tests: a mock model, a temporary CODEX_HOME
 * whose `config.toml` points at it, servers started on that home (any number, so a test can
 * restart the server and resume), initialized clients, a turn runner, and filters for the v2
 * notifications a test checks the order of.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type Msg, StdioClient, WsClient } from "./clients.ts";
import { MockModelServer, mockProviderConfig } from "./mock_model.ts";
import { ServerProcess } from "./server.ts";
import { initExperimental } from "./stdio_helpers.ts";
import { startWsServer, type WsServer } from "./ws_helpers.ts";

/** Options for {@linkcode withThreadHarness} and {@linkcode withThreadServer}. */
export interface ThreadHarnessOptions {
  /** Extra env for every server started. */
  env?: Record<string, string>;
  /** Top-level config.toml keys, written before the mock provider table; they replace the
   * mock config's defaults of the same keys (`approval_policy`, `sandbox_mode`). */
  config?: string;
  /** Tables written after the mock provider table (e.g. `[sandbox_workspace_write]`). */
  tables?: string;
}

/** The mock provider config with `top` in front, `top`'s keys replacing the defaults. */
function harnessConfig(url: string, top: string, tables: string): string {
  const keys = [...top.matchAll(/^([A-Za-z_]+)\s*=/gm)].map((m) => m[1]);
  const base = mockProviderConfig(url).split("\n").filter((line) =>
    !keys.some((k) => line.startsWith(`${k} =`))
  ).join("\n");
  return top + base + tables;
}

/** The mock model, the home, and servers started on that home (all closed at the end). */
export interface ThreadHarness {
  mock: MockModelServer;
  home: string;
  /** Starts a websocket server on `home`. */
  start(): Promise<WsServer>;
  /** Starts a stdio server on `home` and initializes a client with the experimental API. */
  startStdio(): Promise<{ server: ServerProcess; client: StdioClient }>;
}

/**
 * Starts the mock model and makes a CODEX_HOME configured for it, runs `fn`, then closes every
 * server `fn` started, the mock, and removes the home.
 */
export async function withThreadHarness(
  fn: (h: ThreadHarness) => Promise<void>,
  opts: ThreadHarnessOptions = {},
): Promise<void> {
  const mock = await MockModelServer.start();
  const home = await Deno.makeTempDir({ prefix: "codex-thread-test-" });
  const servers: ServerProcess[] = [];
  try {
    await Deno.writeTextFile(
      join(home, "config.toml"),
      harnessConfig(mock.url, opts.config ?? "", opts.tables ?? ""),
    );
    await fn({
      mock,
      home,
      start: async () => {
        const s = await startWsServer({ codexHome: home, env: opts.env });
        servers.push(s.server);
        return s;
      },
      startStdio: async () => {
        const server = await ServerProcess.start({ codexHome: home, env: opts.env });
        servers.push(server);
        const client = new StdioClient(server);
        await initExperimental(client);
        return { server, client };
      },
    });
  } finally {
    for (const s of servers) await s.close();
    await mock.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

/** Like {@linkcode withThreadHarness}, with one websocket server already started. */
export function withThreadServer(
  fn: (s: WsServer, h: ThreadHarness) => Promise<void>,
  opts: ThreadHarnessOptions = {},
): Promise<void> {
  return withThreadHarness(async (h) => await fn(await h.start(), h), opts);
}

/** Connects to `s` and initializes (with `init`), asserting it succeeded. */
export async function connectClient(
  s: WsServer,
  init: Parameters<WsClient["initialize"]>[0] = {},
): Promise<WsClient> {
  const c = await WsClient.connect(s.port);
  const reply = await c.initialize(init);
  assert.ok(reply.result, JSON.stringify(reply));
  return c;
}

/** Either protocol client. */
export type AnyClient = WsClient | StdioClient;

/** Sends `turn/start` with `params`, asserts it was accepted, and waits for its completion. */
export async function runTurnWith(c: AnyClient, params: Msg): Promise<Msg> {
  const res = await c.request("turn/start", params);
  assert.ok(res.result, JSON.stringify(res));
  return await c.waitFor((m) =>
    m.method === "turn/completed" && m.params.turn.id === res.result.turn.id
  );
}

/** Runs a turn with one text input and returns its `turn/completed`. */
export function runTurn(c: AnyClient, threadId: string, text: string): Promise<Msg> {
  return runTurnWith(c, { threadId, input: [{ type: "text", text }] });
}

/** The model input of the mock's last request, as text. */
export function lastInput(mock: MockModelServer): string {
  return JSON.stringify((mock.requests.at(-1)!.body as Msg).input);
}

/** Whether `m` is a notification other than `configWarning`. */
export function isNotification(m: Msg): boolean {
  return "method" in m && m.method !== "configWarning";
}

/**
 * Notifications from index `from` on, without `configWarning` and the legacy
 * `codex/event/*` mirror (protocol §2.4), i.e. the v2 stream.
 */
export function v2Notifications(c: AnyClient, from = 0): Msg[] {
  return c.received.slice(from).filter((m) =>
    isNotification(m) && !m.method.startsWith("codex/event/")
  );
}

/** A short label for a notification: items with their type, status changes with theirs. */
export function noteLabel(m: Msg): string {
  return m.method === "item/started" || m.method === "item/completed"
    ? `${m.method}:${m.params.item.type}`
    : m.method === "thread/status/changed"
    ? `status:${m.params.status.type}`
    : m.method;
}

/** The labelled v2 notifications of a simple turn answered with one two-delta message. */
export function expectedSimpleTurnOrder(): string[] {
  return [
    "turn/started",
    "status:active",
    "item/started:userMessage",
    "item/completed:userMessage",
    // The token count at request start: rate limits only, no usage yet on a first turn.
    "account/rateLimits/updated",
    "item/started:agentMessage",
    "item/agentMessage/delta",
    "item/agentMessage/delta",
    "item/completed:agentMessage",
    "thread/tokenUsage/updated",
    "account/rateLimits/updated",
    "status:idle",
    "turn/completed",
  ];
}
