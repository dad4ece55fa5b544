/**
 * Finding rollout files on disk: every `rollout-*.jsonl` under `sessions/` (any depth, so
 * hand-moved files are still found) and directly in `archived_sessions/`. This is the slow
 * path behind the index; it runs when the index is rebuilt or reconciled, and as a fallback
 * when looking up a thread the index does not know.
 *
 * @module
 */

import { join } from "node:path";
import { getLogger } from "../../log/logger.ts";
import { ARCHIVED_SESSIONS_DIR, parseRolloutFileName, SESSIONS_DIR } from "./rollout_format.ts";

const log = getLogger("codex_core::rollout::scan");

/** One rollout file found on disk. */
export interface RolloutFileInfo {
  path: string;
  threadId: string;
  archived: boolean;
  mtimeMs: number;
  size: number;
}

/** How many `stat` calls run at once; enough to hide latency without hogging descriptors. */
const STAT_CONCURRENCY = 64;

async function listDir(dir: string): Promise<Deno.DirEntry[]> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) entries.push(entry);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      log.warn("cannot list rollout directory", { dir, error: String(error) });
    }
  }
  return entries;
}

/** Paths (with thread ids) of rollout files below `dir`; recursive when `recursive`. */
async function collect(
  dir: string,
  recursive: boolean,
  out: { path: string; threadId: string }[],
): Promise<void> {
  for (const entry of await listDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && recursive) {
      await collect(path, true, out);
    } else if (entry.isFile) {
      const parsed = parseRolloutFileName(entry.name);
      if (parsed) out.push({ path, threadId: parsed.threadId });
    }
  }
}

/** Stats many paths with bounded concurrency; vanished files are left out. */
async function statAll<T extends { path: string }>(
  items: T[],
): Promise<(T & { mtimeMs: number; size: number })[]> {
  const out: (T & { mtimeMs: number; size: number })[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        const stat = await Deno.stat(item.path);
        out.push({ ...item, mtimeMs: stat.mtime?.getTime() ?? 0, size: stat.size });
      } catch {
        // Moved or deleted while scanning: not there, so not listed.
      }
    }
  };
  await Promise.all(Array.from({ length: STAT_CONCURRENCY }, worker));
  return out;
}

/** Every live and archived rollout under `codexHome`, with mtime and size. */
export async function scanRolloutFiles(codexHome: string): Promise<RolloutFileInfo[]> {
  const live: { path: string; threadId: string }[] = [];
  const archived: { path: string; threadId: string }[] = [];
  await collect(join(codexHome, SESSIONS_DIR), true, live);
  await collect(join(codexHome, ARCHIVED_SESSIONS_DIR), false, archived);
  return await statAll([
    ...live.map((f) => ({ ...f, archived: false })),
    ...archived.map((f) => ({ ...f, archived: true })),
  ]);
}

/** Rollout paths of one thread (live or archived) found by walking the folders. */
export async function scanForThread(
  codexHome: string,
  threadId: string,
  archived: boolean,
): Promise<string | null> {
  const found: { path: string; threadId: string }[] = [];
  const dir = join(codexHome, archived ? ARCHIVED_SESSIONS_DIR : SESSIONS_DIR);
  await collect(dir, !archived, found);
  const id = threadId.toLowerCase();
  return found.find((f) => f.threadId === id)?.path ?? null;
}
