/**
 * `CODEX_HOME/session_index.jsonl`: thread names, shared with the reference. The file is
 * append-only (one `{"id","thread_name","updated_at"}` object per line) and the last line for
 * an id wins, so renaming never rewrites the file and a crash can only tear the newest line.
 *
 * @module
 */

import { endsWithNewline } from "./jsonl_tail.ts";
import { join } from "node:path";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("codex_core::rollout::session_index");

/** File name below `CODEX_HOME`. */
export const SESSION_INDEX_FILE = "session_index.jsonl";

/** One line of the session index. */
export interface SessionIndexEntry {
  id: string;
  thread_name: string;
  /** RFC 3339 UTC. */
  updated_at: string;
}

/** Path of the session index for `codexHome`. */
export function sessionIndexPath(codexHome: string): string {
  return join(codexHome, SESSION_INDEX_FILE);
}

/**
 * Appends a name with one `O_APPEND` write, so concurrent writers (our server and the
 * reference on the same home) never interleave inside a line. If the file ends in a torn
 * line, a newline goes first so the new entry is not lost with the fragment.
 */
export async function appendThreadName(
  codexHome: string,
  threadId: string,
  name: string,
  now: Date = new Date(),
): Promise<SessionIndexEntry> {
  const entry: SessionIndexEntry = {
    id: threadId,
    thread_name: name,
    updated_at: now.toISOString(),
  };
  const path = sessionIndexPath(codexHome);
  await Deno.mkdir(codexHome, { recursive: true });
  const file = await Deno.open(path, { read: true, append: true, create: true });
  try {
    const { size } = await file.stat();
    const prefix = (await endsWithNewline(path, size)) ? "" : "\n";
    const bytes = new TextEncoder().encode(prefix + JSON.stringify(entry) + "\n");
    let offset = 0;
    while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
  } finally {
    file.close();
  }
  return entry;
}

/**
 * Latest name per thread id (ids lowercased). Unreadable lines are skipped; a missing file is
 * an empty index.
 */
export async function readThreadNames(codexHome: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  let text: string;
  try {
    text = await Deno.readTextFile(sessionIndexPath(codexHome));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return names;
    throw error;
  }
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    try {
      const entry = JSON.parse(line) as Partial<SessionIndexEntry>;
      if (typeof entry.id !== "string" || typeof entry.thread_name !== "string") {
        throw new Error("missing id or thread_name");
      }
      names.set(entry.id.toLowerCase(), entry.thread_name);
    } catch (error) {
      const torn = i === lines.length - 1;
      if (!torn) log.warn("skipping unreadable session index line", { line: i + 1, error });
    }
  }
  return names;
}

/** Latest name of one thread, or `null`. */
export async function readThreadName(codexHome: string, threadId: string): Promise<string | null> {
  return (await readThreadNames(codexHome)).get(threadId.toLowerCase()) ?? null;
}
