/**
 * Shared setup for the tool tests: a thread whose cwd is a fresh workspace, scripted model
 * responses that call tools, and helpers to answer or inspect the server's requests.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Msg } from "./clients.ts";
import { functionCall, type MockModelServer, textTurn, turn } from "./mock_model.ts";
import type { AnyClient } from "./thread_harness.ts";

/**
 * An empty home for the server, so the login shells of the shell tools do not run this
 * machine's profile scripts (which may be slow, print, or wait on locks).
 */
const QUIET_HOME = Deno.makeTempDirSync({ prefix: "codex-test-home-" });

/** Harness options for an approval policy and a sandbox mode, plus extra top-level keys
 * and tables. */
export function policyConfig(
  approval: string,
  sandbox: string,
  extra: { top?: string; tables?: string } = {},
): { config: string; tables: string; env: Record<string, string> } {
  return {
    config: `approval_policy = "${approval}"\nsandbox_mode = "${sandbox}"\n${extra.top ?? ""}`,
    tables: extra.tables ?? "",
    env: { HOME: QUIET_HOME },
  };
}

/** Makes a workspace directory (removed by the caller's harness cleanup or the OS). */
export async function makeWorkspace(): Promise<string> {
  return await Deno.realPath(await Deno.makeTempDir({ prefix: "codex-ws-" }));
}

/** Starts a thread in `cwd` and returns its id. */
export async function startThread(c: AnyClient, cwd: string, extra: Msg = {}): Promise<string> {
  const res = await c.request("thread/start", { cwd, ...extra });
  assert.ok(res.result, JSON.stringify(res));
  return res.result.thread.id;
}

/** Queues a response calling `shell_command`, then a final message. */
export function enqueueShell(
  mock: MockModelServer,
  command: string,
  opts: { callId?: string; workdir?: string; timeoutMs?: number; extra?: Msg } = {},
): void {
  const args: Msg = { command, ...opts.extra };
  if (opts.workdir) args.workdir = opts.workdir;
  if (opts.timeoutMs) args.timeout_ms = opts.timeoutMs;
  mock.enqueue(turn([functionCall("shell_command", args, opts.callId)]));
  mock.enqueue(textTurn("done"));
}

/** The output the model got for `callId` in a later request, as text. */
export function toolOutput(mock: MockModelServer, callId: string): unknown {
  for (const r of mock.requests) {
    const input = (r.body as Msg)?.input as Msg[] | undefined;
    const found = input?.find((i) =>
      (i.type === "function_call_output" || i.type === "custom_tool_call_output") &&
      i.call_id === callId
    );
    if (found) return found.output;
  }
  return undefined;
}

/** Waits for the next server request of `method` (after index `from` of received). */
export function nextServerRequest(c: AnyClient, method: string, from = 0): Promise<Msg> {
  return c.waitFor(
    (m) => m.method === method && "id" in m && c.received.indexOf(m) >= from,
    `server request ${method}`,
  );
}

/** Answers a server request with a result. */
export async function reply(c: AnyClient, request: Msg, result: unknown): Promise<void> {
  await c.send({ id: request.id, result });
}

/** The item/completed notification of item `id`. */
export function completedItem(c: AnyClient, id: string): Promise<Msg> {
  return c.waitFor(
    (m) => m.method === "item/completed" && m.params.item.id === id,
    `item/completed ${id}`,
  );
}
