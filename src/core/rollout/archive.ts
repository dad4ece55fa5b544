/**
 * Archiving moves a rollout to `archived_sessions/<same file name>`; unarchiving moves it back
 * to `sessions/YYYY/MM/DD/` (the day in its file name) and touches its mtime, as the reference
 * does, so it sorts as recently updated. Both are single `rename`s inside `CODEX_HOME`, so a
 * crash leaves the file in exactly one of the two places, never half copied.
 *
 * @module
 */

import { basename, join } from "node:path";
import { getLogger } from "../../log/logger.ts";
import { ARCHIVED_SESSIONS_DIR, parseRolloutFileName, sessionsDayDir } from "./rollout_format.ts";
import { scanForThread } from "./rollout_scan.ts";
import { uuidV7Millis } from "./thread_id.ts";
import type { ThreadIndex } from "./thread_index.ts";
import { summarizeRollout } from "./thread_summary.ts";

const log = getLogger("codex_core::rollout::archive");

/** No rollout for a thread; the message is the reference's error text. */
export class RolloutNotFoundError extends Error {
  constructor(readonly threadId: string, readonly archived: boolean) {
    super(
      archived
        ? `no archived rollout found for thread id ${threadId}`
        : `no rollout found for thread id ${threadId}`,
    );
    this.name = "RolloutNotFoundError";
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function probeDayDirs(codexHome: string, threadId: string): Promise<string | null> {
  // A UUIDv7 carries its creation time, which names the day folder (±1 day for time zones).
  const ms = uuidV7Millis(threadId);
  if (ms === null) return null;
  const suffix = `-${threadId.toLowerCase()}.jsonl`;
  for (const delta of [0, -1, 1]) {
    const dir = sessionsDayDir(codexHome, new Date(ms + delta * 86_400_000));
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && entry.name.startsWith("rollout-") && entry.name.endsWith(suffix)) {
          return join(dir, entry.name);
        }
      }
    } catch { /* no such day */ }
  }
  return null;
}

/**
 * Path of a thread's rollout, live (default) or archived, or `null`. Tries the index, then the
 * day folder named by the id, then walks the folders.
 */
export async function findRollout(
  codexHome: string,
  threadId: string,
  options: { archived?: boolean; index?: ThreadIndex } = {},
): Promise<string | null> {
  const archived = options.archived ?? false;
  const indexed = options.index?.get(threadId);
  if (indexed && indexed.archived === archived && await isFile(indexed.rolloutPath)) {
    return indexed.rolloutPath;
  }
  if (archived) {
    return await scanForThread(codexHome, threadId, true);
  }
  return await probeDayDirs(codexHome, threadId) ?? await scanForThread(codexHome, threadId, false);
}

/** Moves a live rollout into `archived_sessions/`; returns the new path. */
export async function archiveRollout(
  codexHome: string,
  threadId: string,
  options: { index?: ThreadIndex } = {},
): Promise<string> {
  const from = await findRollout(codexHome, threadId, { index: options.index });
  if (from === null) throw new RolloutNotFoundError(threadId, false);
  const dir = join(codexHome, ARCHIVED_SESSIONS_DIR);
  await Deno.mkdir(dir, { recursive: true });
  const to = join(dir, basename(from));
  await Deno.rename(from, to);
  log.debug("archived rollout", { threadId, to });
  await syncIndex(options.index, threadId, true, to, undefined);
  return to;
}

/** Moves an archived rollout back under `sessions/` and touches its mtime; returns the path. */
export async function unarchiveRollout(
  codexHome: string,
  threadId: string,
  options: { index?: ThreadIndex; now?: Date } = {},
): Promise<string> {
  const from = await findRollout(codexHome, threadId, { archived: true, index: options.index });
  if (from === null) throw new RolloutNotFoundError(threadId, true);
  const name = basename(from);
  const parsed = parseRolloutFileName(name);
  if (parsed === null) throw new RolloutNotFoundError(threadId, true);
  const dir = sessionsDayDir(codexHome, parsed.createdAt);
  await Deno.mkdir(dir, { recursive: true });
  const to = join(dir, name);
  await Deno.rename(from, to);
  const now = options.now ?? new Date();
  await Deno.utime(to, now, now);
  log.debug("unarchived rollout", { threadId, to });
  await syncIndex(options.index, threadId, false, to, Math.floor(now.getTime() / 1000));
  return to;
}

async function syncIndex(
  index: ThreadIndex | undefined,
  threadId: string,
  archived: boolean,
  path: string,
  updatedAt: number | undefined,
): Promise<void> {
  if (!index) return;
  if (index.get(threadId)) {
    index.setArchived(threadId, archived, path, updatedAt);
    return;
  }
  // Not indexed yet (written by another process): index it now from the file.
  const summary = await summarizeRollout(path, { archived });
  if (summary) index.upsert(summary);
}
