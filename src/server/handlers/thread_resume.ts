/**
 * `thread/resume` and `thread/unsubscribe` (the latter from later Codex versions, 0.169
 * shapes). A stored thread is loaded from its rollout and appended to from then on; a loaded
 * one is attached to as it is, running turn included.
 *
 * @module
 */

import { internalError, invalidRequest } from "../../jsonrpc/errors.ts";
import { resolveEffective } from "../../config/effective.ts";
import { ProviderConfigError, resolveProvider } from "../../core/model/provider.ts";
import { findRollout, RolloutNotFoundError } from "../../core/rollout/archive.ts";
import { RolloutWriter } from "../../core/rollout/rollout_writer.ts";
import { BASE_INSTRUCTIONS } from "../../core/threads/thread_manager.ts";
import { LiveThread, turnsSnapshot } from "../../core/threads/thread.ts";
import { readStoredThread } from "../../core/threads/thread_loader.ts";
import { getLogger } from "../../log/logger.ts";
import { AskForApproval, SandboxMode } from "../../protocol/schema/sandbox.ts";
import type { ThreadResumeParams, ThreadResumeResponse } from "../../protocol/schema/mod.ts";
import type { RequestContext } from "../context.ts";
import type { Handler } from "../router.ts";
import { releaseHeld } from "../thread_events.ts";
import { liveWireThread, sandboxPolicies, threadIdOf, userShell } from "./thread_live.ts";

const log = getLogger("codex_app_server::thread_resume");

const OVERRIDES = [
  "model",
  "modelProvider",
  "cwd",
  "approvalPolicy",
  "sandbox",
  "config",
  "baseInstructions",
  "developerInstructions",
  "personality",
] as const;

/**
 * `thread/resume`. Precedence is `history` > `path` > `threadId`. A cold load broadcasts
 * `thread/status/changed {idle}` before the response and sends no `thread/started`.
 */
export const threadResume: Handler<"thread/resume"> = async (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  const loaded = ctx.server.threads.get(threadId);
  if (loaded) return attach(ctx, loaded, params);
  if (params.history && params.history.length > 0) {
    throw invalidRequest("thread/resume with history is not supported yet");
  }
  const { thread } = await ctx.server.threads.load(threadId, () => loadStored(ctx, params));
  return attach(ctx, thread, params, true);
};

/**
 * Subscribes the caller and answers with the thread as it is now. The snapshot and the
 * subscription happen in one synchronous step, and the caller's events are held until the
 * response is out, so each event is seen exactly once: in the snapshot or after it.
 */
function attach(
  ctx: RequestContext,
  thread: LiveThread,
  params: ThreadResumeParams,
  fresh = false,
): ThreadResumeResponse {
  if (!fresh) {
    const running = thread.active !== null;
    if (running && params.history && params.history.length > 0) {
      throw invalidRequest(
        `cannot resume thread ${thread.id} with history while it is already running`,
      );
    }
    if (running && params.path && params.path !== thread.writer.path) {
      throw invalidRequest(
        `cannot resume running thread ${thread.id} with mismatched path: requested \`${params.path}\`, active \`${thread.writer.path}\``,
      );
    }
    if (params.history && params.history.length > 0) {
      throw invalidRequest("thread/resume with history is not supported yet");
    }
    if (OVERRIDES.some((key) => params[key] !== undefined && params[key] !== null)) {
      log.warn(`thread/resume overrides ignored for running thread ${thread.id}`);
    }
  }
  const server = ctx.server;
  const connectionId = ctx.connection.id;
  server.subscriptions.subscribeHeld(thread.id, connectionId);
  const wire = liveWireThread(server, thread);
  wire.turns = turnsSnapshot(thread);
  // The response goes out in the promise continuations after this returns; a zero-delay
  // timer runs only after them.
  setTimeout(() => releaseHeld(server, thread.id, connectionId), 0);
  const s = thread.settings;
  return {
    thread: wire,
    model: s.model,
    modelProvider: s.provider.id,
    cwd: s.cwd,
    approvalPolicy: s.approvalPolicy,
    // 0.169's default; approvals always go to the user here.
    approvalsReviewer: "user",
    sandbox: s.sandboxPolicy as never,
    reasoningEffort: s.reasoningEffort ?? null,
  };
}

/** Reads the rollout and builds the live thread; settings: overrides > rollout > config. */
async function loadStored(ctx: RequestContext, params: ThreadResumeParams): Promise<LiveThread> {
  const config = ctx.server.config;
  if (!config) throw internalError("configuration is not loaded in this server");
  const threadId = threadIdOf(params.threadId);
  const index = await ctx.server.threadIndex();
  const path = params.path ?? await findRollout(ctx.server.codexHome, threadId, { index });
  const notFound = () => invalidRequest(new RolloutNotFoundError(threadId, false).message);
  if (path === null) throw notFound();
  const stored = await readStoredThread(path).catch(() => null);
  if (stored === null) throw notFound();
  const tc = stored.lastTurnContext ?? {};
  const cwd = params.cwd ?? stored.meta.cwd ?? Deno.cwd();
  const effective = resolveEffective(await config.read(cwd), config.requirements).config;
  const model = params.model ?? (typeof tc.model === "string" ? tc.model : effective.model);
  const providerId = params.modelProvider ?? stored.meta.model_provider ?? effective.modelProvider;
  let provider;
  try {
    provider = resolveProvider(effective.modelProviders, providerId);
  } catch (error) {
    if (error instanceof ProviderConfigError) throw invalidRequest(error.message);
    throw error;
  }
  const storedApproval = AskForApproval.safeParse(tc.approval_policy);
  const approvalPolicy = params.approvalPolicy ??
    (storedApproval.success ? storedApproval.data : effective.approvalPolicy);
  const storedMode = SandboxMode.safeParse((tc.sandbox_policy as { type?: unknown })?.type);
  const sandboxMode = params.sandbox ??
    (storedMode.success ? storedMode.data : effective.sandboxMode);
  const policies = sandboxPolicies(sandboxMode, effective.sandboxWorkspaceWrite);
  const writer = await RolloutWriter.resume(path);
  const thread = new LiveThread(stored.meta, writer, {
    model,
    provider,
    cwd,
    approvalPolicy,
    sandboxMode,
    sandboxPolicy: policies.wire,
    diskSandboxPolicy: policies.disk,
    baseInstructions: params.baseInstructions ?? stored.meta.base_instructions?.text ??
      BASE_INSTRUCTIONS,
    shell: userShell(),
    reasoningEffort: effective.modelReasoningEffort,
  });
  thread.history.push(...stored.history);
  thread.turns.push(...stored.turns);
  thread.turnCount = stored.turns.length;
  thread.firstUserMessage = stored.firstUserMessage;
  thread.totalUsage = stored.totalUsage;
  return thread;
}

/** `thread/unsubscribe`: `notLoaded`, `notSubscribed` or `unsubscribed`. */
export const threadUnsubscribe: Handler<"thread/unsubscribe"> = (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  if (!ctx.server.threads.get(threadId)) return { status: "notLoaded" };
  const removed = ctx.server.subscriptions.unsubscribe(threadId, ctx.connection.id);
  return { status: removed ? "unsubscribed" : "notSubscribed" };
};
