/**
 * Methods on stored threads: `thread/list`, `thread/read`, `thread/name/set`,
 * `thread/archive` and `thread/unarchive`. They work from the rollouts in `CODEX_HOME` and
 * the thread index, so sessions written by the reference (or an earlier run) can be browsed,
 * named and archived. No thread is loaded by these methods; each reports its live status
 * (`notLoaded` unless loaded), and archiving a loaded thread unloads it first.
 *
 * @module
 */

import { invalidRequest } from "../../jsonrpc/errors.ts";
import { resolveEffective } from "../../config/effective.ts";
import {
  archiveRollout,
  findRollout,
  RolloutNotFoundError,
  unarchiveRollout,
} from "../../core/rollout/archive.ts";
import { readRollout } from "../../core/rollout/rollout_reader.ts";
import { appendThreadName, readThreadName } from "../../core/rollout/session_index.ts";
import type { ThreadIndex } from "../../core/rollout/thread_index.ts";
import { InvalidCursorError } from "../../core/rollout/thread_list_query.ts";
import {
  summarizeRollout,
  type ThreadSummary,
  toWireThread,
} from "../../core/rollout/thread_summary.ts";
import { buildTurns } from "../../core/threads/history.ts";
import { parseThreadId } from "../../core/threads/thread_ref.ts";
import type { Thread, ThreadStatus } from "../../protocol/schema/thread.ts";
import type { RequestContext, ServerContext } from "../context.ts";
import type { Handler } from "../router.ts";

/** Nothing is loaded in this build, so every stored thread is `notLoaded`. */
const NOT_LOADED: ThreadStatus = { type: "notLoaded" };

/** The canonical id, or the reference's `invalid thread id: …` error. */
function threadIdOf(text: string): string {
  const parsed = parseThreadId(text);
  if (!parsed.ok) throw invalidRequest(`invalid thread id: ${parsed.reason}`);
  return parsed.id;
}

/** Rollout lookups fail with the reference's texts, as `-32600`. */
async function rolloutErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof RolloutNotFoundError) throw invalidRequest(error.message);
    throw error;
  }
}

/**
 * The stored summary of a thread, live or archived. Falls back to the files when the index
 * has no row (a rollout another process wrote after we reconciled) and indexes it then.
 */
export async function storedThread(
  ctx: RequestContext,
  index: ThreadIndex,
  threadId: string,
): Promise<ThreadSummary | null> {
  const home = ctx.server.codexHome;
  const indexed = index.get(threadId);
  const first = indexed?.archived ?? false;
  for (const archived of [first, !first]) {
    const path = await findRollout(home, threadId, { index, archived });
    if (path === null) continue;
    if (indexed && indexed.rolloutPath === path && indexed.archived === archived) return indexed;
    const summary = await summarizeRollout(path, { archived });
    if (summary === null) return null;
    index.upsert({ ...summary, id: threadId });
    return index.get(threadId);
  }
  return null;
}

/**
 * `thread/list`: one page from the index, each thread with its live status and no turns.
 * Without `modelProviders` only the configured provider's threads are listed, as in the
 * reference; `[]` lists every provider's.
 */
export const threadList: Handler<"thread/list"> = async (ctx, params) => {
  const index = await ctx.server.threadIndex();
  const config = ctx.server.config;
  const modelProviders = params.modelProviders ??
    (config ? [resolveEffective(config.loaded, config.requirements).config.modelProvider] : null);
  try {
    const page = await index.list({ ...params, modelProviders });
    return {
      data: page.data.map((s) => toWireThread(s, ctx.server.threads.status(s.id))),
      nextCursor: page.nextCursor,
    };
  } catch (error) {
    if (error instanceof InvalidCursorError) throw invalidRequest(error.message);
    throw error;
  }
};

/**
 * `thread/read`: the stored thread, named from `session_index.jsonl` (read fresh, so a name
 * set by another process shows), and with `includeTurns` its turns rebuilt from the rollout.
 * Unknown ids get 0.105's `thread not loaded: <id>`.
 */
export const threadRead: Handler<"thread/read"> = async (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  const index = await ctx.server.threadIndex();
  const summary = await storedThread(ctx, index, threadId);
  if (summary === null) throw invalidRequest(`thread not loaded: ${threadId}`);
  const thread: Thread = toWireThread(summary, ctx.server.threads.status(threadId));
  thread.name = await readThreadName(ctx.server.codexHome, threadId) ?? summary.name;
  if (params.includeTurns) {
    const contents = await readRollout(summary.rolloutPath);
    thread.turns = buildTurns(contents.records);
  }
  return { thread };
};

/**
 * `thread/name/set`: appends the trimmed name to `session_index.jsonl` (shared with the
 * reference) and updates the index. `thread/name/updated` is thread-scoped in 0.105: after the
 * response it goes to the subscribers of a loaded thread only; a stored thread gets none.
 */
export const threadNameSet: Handler<"thread/name/set"> = async (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  const name = params.name.trim();
  if (name === "") throw invalidRequest("thread name must not be empty");
  const index = await ctx.server.threadIndex();
  const live = ctx.server.threads.get(threadId);
  if (!live && await storedThread(ctx, index, threadId) === null) {
    throw invalidRequest(new RolloutNotFoundError(threadId, false).message);
  }
  await appendThreadName(ctx.server.codexHome, threadId, name);
  index.setName(threadId, name);
  if (live) {
    live.name = name;
    const server = ctx.server;
    setTimeout(() => {
      const targets = server.subscriptions.subscribers(threadId);
      server.outgoing.notifyMany(targets, "thread/name/updated", { threadId, threadName: name });
    }, 0);
  }
  return {};
};

/**
 * `thread/archive`: moves the rollout to `archived_sessions/`, then tells every initialized
 * connection with `thread/archived`, after the response.
 */
export const threadArchive: Handler<"thread/archive"> = async (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  const index = await ctx.server.threadIndex();
  // A loaded thread is shut down first (its `notLoaded` status precedes the response), so
  // nothing appends to the file after it moved.
  if (ctx.server.threads.get(threadId)?.writer.materialized) {
    await ctx.server.threads.unload(threadId);
  }
  await rolloutErrors(() => archiveRollout(ctx.server.codexHome, threadId, { index }));
  broadcastAfterResponse(ctx.server, "thread/archived", { threadId });
  return {};
};

/**
 * `thread/unarchive`: moves the rollout back under `sessions/` (touching its mtime, so it
 * lists as recently updated), answers with the thread, then broadcasts `thread/unarchived`.
 */
export const threadUnarchive: Handler<"thread/unarchive"> = async (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  const index = await ctx.server.threadIndex();
  const path = await rolloutErrors(() =>
    unarchiveRollout(ctx.server.codexHome, threadId, { index })
  );
  const summary = index.get(threadId) ?? await summarizeRollout(path);
  if (summary === null) throw invalidRequest(new RolloutNotFoundError(threadId, true).message);
  const thread = toWireThread({ ...summary, id: threadId, rolloutPath: path }, NOT_LOADED);
  broadcastAfterResponse(ctx.server, "thread/unarchived", { threadId });
  return { thread };
};

/**
 * The router sends a handler's response in the promise continuations that follow its return,
 * so a microtask queued here would still overtake the response. A zero-delay timer runs only
 * after those continuations (and the response's enqueue) are done, which puts the broadcast
 * second on the requester's connection too, as in the reference.
 */
function broadcastAfterResponse(server: ServerContext, method: string, params: unknown): void {
  setTimeout(() => server.outgoing.broadcast(method, params), 0);
}
