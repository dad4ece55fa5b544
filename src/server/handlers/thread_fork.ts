/**
 * `thread/fork` and `thread/rollback`.
 *
 * A fork copies the source's rollout into a new thread (see `core/threads/fork.ts`), loads
 * it, and subscribes the caller: `thread/status/changed {idle}` for the new id goes out
 * before the response and `thread/started` (with the copied turns) after it, as in the
 * reference. Unlike `thread/start`, the fork's rollout exists at once (it already holds user
 * messages), so it is indexed and listed right away.
 *
 * A rollback drops the last N turns of a loaded, idle thread from its model context and its
 * turns, and appends the reference's `thread_rolled_back` marker to the rollout, which
 * resume replays. `thread/tokenUsage/updated` goes to the subscribers before the response.
 *
 * @module
 */

import { internalError, invalidRequest } from "../../jsonrpc/errors.ts";
import { findRollout, RolloutNotFoundError } from "../../core/rollout/archive.ts";
import { RolloutWriter } from "../../core/rollout/rollout_writer.ts";
import { newThreadId } from "../../core/rollout/thread_id.ts";
import {
  forkMeta,
  type ForkSource,
  readForkSource,
  writeForkRollout,
} from "../../core/threads/fork.ts";
import {
  rollbackLiveThread,
  rolledBackRecord,
  usageAfterRollback,
} from "../../core/threads/rollback.ts";
import { type LiveThread, turnsSnapshot } from "../../core/threads/thread.ts";
import { liveThreadFrom, replay } from "../../core/threads/thread_loader.ts";
import type { RequestContext } from "../context.ts";
import type { Handler } from "../router.ts";
import { indexLiveThread, routeThreadEvent } from "../thread_events.ts";
import { liveWireThread, sessionResult, threadIdOf } from "./thread_live.ts";
import { resolveThreadSettings } from "./thread_settings.ts";

/**
 * `thread/fork`. Settings: overrides, then what the source last ran with, then config. The
 * source stays as it was, loaded or not.
 */
export const threadFork: Handler<"thread/fork"> = async (ctx, params) => {
  const server = ctx.server;
  const source = await forkSource(ctx, threadIdOf(params.threadId), params.path ?? null);
  const stored = replay(source.records);
  const settings = await resolveThreadSettings(server, params, {
    cwd: source.meta.cwd,
    modelProvider: source.meta.model_provider,
    baseInstructions: source.meta.base_instructions?.text,
    turnContext: stored.lastTurnContext,
    dynamicTools: source.meta.dynamic_tools,
  });
  const createdAt = new Date();
  const meta = forkMeta(source.meta, {
    id: newThreadId(createdAt.getTime()),
    createdAt,
    originator: server.originator.originator,
    cwd: settings.cwd,
    modelProvider: settings.provider.id,
    baseInstructions: settings.baseInstructions,
  });
  const ephemeral = settings.ephemeral === true;
  const writer = ephemeral
    ? RolloutWriter.create(server.codexHome, meta, { ephemeral: true })
    : await RolloutWriter.resume(await writeForkRollout(server.codexHome, meta, source.records));
  const live = liveThreadFrom({ ...stored, path: writer.path, meta }, writer, settings);
  // Registering broadcasts `thread/status/changed {idle}`, before the response.
  const { thread } = await server.threads.load(meta.id, () => Promise.resolve(live));
  server.subscriptions.subscribe(thread.id, ctx.connection.id);
  if (!ephemeral) await indexLiveThread(server, thread);
  const wire = liveWireThread(server, thread);
  wire.turns = turnsSnapshot(thread);
  // The response goes out in the promise continuations after this returns; a zero-delay
  // timer runs only after them.
  setTimeout(() => server.outgoing.broadcast("thread/started", { thread: wire }), 0);
  return sessionResult(thread, wire);
};

/**
 * The source's records: from `path` when given (experimental), else from the loaded
 * thread's rollout (flushed first, so the copy has every record written so far), else from
 * the stored rollout. A thread that never reached disk has nothing to fork.
 */
async function forkSource(
  ctx: RequestContext,
  sourceId: string,
  path: string | null,
): Promise<ForkSource> {
  const notFound = () => invalidRequest(new RolloutNotFoundError(sourceId, false).message);
  let file = path;
  if (file === null) {
    const loaded = ctx.server.threads.get(sourceId);
    if (loaded) {
      if (!loaded.writer.materialized) throw notFound();
      await loaded.writer.flush();
      file = loaded.writer.path;
    } else {
      const index = await ctx.server.threadIndex();
      file = await findRollout(ctx.server.codexHome, sourceId, { index });
    }
  }
  if (file === null) throw notFound();
  const source = await readForkSource(file).catch(() => null);
  if (source === null) throw notFound();
  return source;
}

/** Threads with a rollback between its start and its marker being written. */
const rollingBack = new WeakSet<LiveThread>();

/**
 * `thread/rollback`. Only loaded threads can be rolled back, and not while a turn runs.
 * `numTurns` larger than the number of turns drops them all (the context from before the
 * first turn stays). The token usage sent before the response keeps the thread's total and
 * estimates the remaining context as `last`; its `turnId` is the last remaining turn's id,
 * or `""` when none remains.
 */
export const threadRollback: Handler<"thread/rollback"> = async (ctx, params) => {
  if (params.numTurns < 1) throw invalidRequest("numTurns must be >= 1");
  const threadId = threadIdOf(params.threadId);
  const thread = ctx.server.threads.get(threadId);
  if (!thread) throw invalidRequest(`thread not found: ${threadId}`);
  if (rollingBack.has(thread)) {
    throw invalidRequest("rollback already in progress for this thread");
  }
  if (thread.active) throw invalidRequest("Cannot rollback while a turn is in progress.");
  rollingBack.add(thread);
  try {
    // The live state changes in one synchronous step with queuing the marker, so a turn
    // started meanwhile sees the rolled-back context and its records follow the marker.
    const written = thread.writer.append(rolledBackRecord(params.numTurns));
    rollbackLiveThread(thread, params.numTurns);
    await written.catch((error) => {
      throw internalError(`failed to record rollback: ${error}`);
    });
  } finally {
    rollingBack.delete(thread);
  }
  await indexLiveThread(ctx.server, thread);
  routeThreadEvent(ctx.server, {
    kind: "tokenUsage",
    threadId,
    turnId: thread.turns.at(-1)?.id ?? "",
    tokenUsage: usageAfterRollback(thread),
  });
  const wire = liveWireThread(ctx.server, thread);
  wire.turns = turnsSnapshot(thread);
  return { thread: wire };
};
