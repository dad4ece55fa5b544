/**
 * Live threads: `thread/start`, `turn/start`, `turn/steer`, `turn/interrupt` and
 * `thread/loaded/list`.
 * Settings come from the effective config (fresh from disk, as the reference reads it per
 * thread), with the request's overrides on top.
 *
 * @module
 */

import { internalError, invalidRequest } from "../../jsonrpc/errors.ts";
import { resolveEffective } from "../../config/effective.ts";
import { ProviderConfigError, resolveProvider } from "../../core/model/provider.ts";
import { summaryFromMeta, toWireThread } from "../../core/rollout/thread_summary.ts";
import { ThreadRequestError } from "../../core/threads/thread_manager.ts";
import type { LiveThread } from "../../core/threads/thread.ts";
import { parseThreadId } from "../../core/threads/thread_ref.ts";
import type { SandboxMode } from "../../protocol/schema/sandbox.ts";
import type { Thread } from "../../protocol/schema/thread.ts";
import type { ServerContext } from "../context.ts";
import type { Handler } from "../router.ts";
import type { WorkspaceWriteSettings } from "../../config/effective.ts";

/** The canonical id, or the reference's `invalid thread id: …` error. */
export function threadIdOf(text: string): string {
  const parsed = parseThreadId(text);
  if (!parsed.ok) throw invalidRequest(`invalid thread id: ${parsed.reason}`);
  return parsed.id;
}

async function requestErrors<T>(body: () => T | Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ThreadRequestError) throw invalidRequest(error.message);
    throw error;
  }
}

/** The wire and on-disk sandbox policies of a mode. */
/** The user's shell name for the environment context (`$SHELL`'s last segment, else bash). */
export function userShell(): string {
  return Deno.env.get("SHELL")?.split("/").pop() || "bash";
}

export function sandboxPolicies(mode: SandboxMode, ww: WorkspaceWriteSettings) {
  switch (mode) {
    case "read-only":
      return {
        wire: { type: "readOnly", access: { type: "fullAccess" } },
        disk: { type: "read-only" },
      };
    case "workspace-write":
      return {
        wire: {
          type: "workspaceWrite",
          writableRoots: ww.writableRoots,
          readOnlyAccess: { type: "fullAccess" },
          networkAccess: ww.networkAccess,
          excludeTmpdirEnvVar: ww.excludeTmpdirEnvVar,
          excludeSlashTmp: ww.excludeSlashTmp,
        },
        disk: {
          type: "workspace-write",
          writable_roots: ww.writableRoots,
          network_access: ww.networkAccess,
          exclude_tmpdir_env_var: ww.excludeTmpdirEnvVar,
          exclude_slash_tmp: ww.excludeSlashTmp,
        },
      };
    case "danger-full-access":
      return { wire: { type: "dangerFullAccess" }, disk: { type: "danger-full-access" } };
  }
}

/** The wire thread of a live thread. */
export function liveWireThread(server: ServerContext, thread: LiveThread): Thread {
  const summary = summaryFromMeta(thread.meta, thread.writer.path, {
    updatedAt: thread.createdAt,
    preview: thread.firstUserMessage ?? "",
  });
  return toWireThread(summary, server.threads.status(thread.id));
}

/**
 * `thread/start`: `thread/status/changed {idle}` is broadcast before the response (the
 * thread exists once loaded), `thread/started` after it. The caller is subscribed.
 */
export const threadStart: Handler<"thread/start"> = async (ctx, params) => {
  const config = ctx.server.config;
  if (!config) throw internalError("configuration is not loaded in this server");
  const cwd = params.cwd ?? Deno.cwd();
  const loaded = await config.read(cwd);
  const effective = resolveEffective(loaded, config.requirements).config;
  const model = params.model ?? effective.model;
  const providerId = params.modelProvider ?? effective.modelProvider;
  let provider;
  try {
    provider = resolveProvider(effective.modelProviders, providerId);
  } catch (error) {
    if (error instanceof ProviderConfigError) throw invalidRequest(error.message);
    throw error;
  }
  const approvalPolicy = params.approvalPolicy ?? effective.approvalPolicy;
  const sandboxMode = params.sandbox ?? effective.sandboxMode;
  const policies = sandboxPolicies(sandboxMode, effective.sandboxWorkspaceWrite);
  const thread = ctx.server.threads.start({
    model,
    provider,
    cwd,
    approvalPolicy,
    sandboxMode,
    sandboxPolicy: policies.wire,
    diskSandboxPolicy: policies.disk,
    baseInstructions: params.baseInstructions ?? null,
    shell: userShell(),
    reasoningEffort: effective.modelReasoningEffort,
  });
  ctx.server.subscriptions.subscribe(thread.id, ctx.connection.id);
  const wire = liveWireThread(ctx.server, thread);
  setTimeout(() => ctx.server.outgoing.broadcast("thread/started", { thread: wire }), 0);
  return {
    thread: wire,
    model,
    modelProvider: provider.id,
    cwd,
    approvalPolicy,
    // 0.169's default; approvals always go to the user here.
    approvalsReviewer: "user",
    sandbox: policies.wire as never,
    reasoningEffort: effective.modelReasoningEffort,
  };
};

/** `turn/start`: answers with the in-progress turn; the turn's events follow the reply. */
export const turnStart: Handler<"turn/start"> = (ctx, params) =>
  requestErrors(() => {
    const threadId = threadIdOf(params.threadId);
    const turn = ctx.server.threads.startTurn(threadId, params.input);
    return { turn };
  });

/** `turn/steer`: queues input for the running turn; its `userMessage` item follows later. */
export const turnSteer: Handler<"turn/steer"> = (ctx, params) =>
  requestErrors(() => {
    const threadId = threadIdOf(params.threadId);
    const turnId = ctx.server.threads.steer(threadId, params.input, params.expectedTurnId);
    return { turnId };
  });

/** `turn/interrupt`: replies `{}` once the turn has stopped; `turn/completed` follows. */
export const turnInterrupt: Handler<"turn/interrupt"> = (ctx, params) =>
  requestErrors(async () => {
    await ctx.server.threads.interrupt(threadIdOf(params.threadId), params.turnId);
    return {};
  });

/** `thread/loaded/list`: ids of loaded threads; with a limit, the cursor is the last id. */
export const threadLoadedList: Handler<"thread/loaded/list"> = (ctx, params) => {
  let ids = ctx.server.threads.ids();
  if (params.cursor) {
    const at = ids.indexOf(params.cursor);
    if (at === -1) throw invalidRequest(`invalid cursor: ${params.cursor}`);
    ids = ids.slice(at + 1);
  }
  const limit = params.limit ?? null;
  if (limit === null || ids.length <= limit) return { data: ids, nextCursor: null };
  const page = ids.slice(0, Math.max(limit, 1));
  return { data: page, nextCursor: page[page.length - 1] ?? null };
};
