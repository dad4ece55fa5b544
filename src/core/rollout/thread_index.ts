/**
 * The thread index: an embedded SQLite file (`CODEX_HOME/codex_ts_threads.sqlite`, our own
 * name, so the reference's `state_5.sqlite` is never touched) that answers `thread/list`
 * without reading rollouts.
 *
 * The rollouts and `session_index.jsonl` are the truth; the database is a cache of them and
 * can always be thrown away. Therefore:
 * - a missing, unreadable or corrupt file (or one with another schema version) is deleted and
 *   rebuilt from the rollouts, never repaired;
 * - on open the index is reconciled with the disk: every rollout is `stat`ed and only files
 *   whose path, size or mtime differ from what the row recorded are read again, rows whose
 *   file vanished are dropped, and names are re-read when `session_index.jsonl` changed. That
 *   catches whatever another process (the reference, a second server, a hand edit) did while
 *   we were not looking, at the cost of one `stat` per rollout and no reads for unchanged
 *   files. (A per-directory fingerprint such as count + newest mtime would cost the same stats
 *   but misses files copied in with an old mtime.)
 * - while running, callers keep it current with `upsert`, `touch`, `setArchived`, `setName`.
 *
 * WAL mode and a busy timeout let several server processes share the file.
 *
 * @module
 */

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { getLogger } from "../../log/logger.ts";
import type { ThreadListParams } from "../../protocol/schema/thread_methods.ts";
import { scanRolloutFiles } from "./rollout_scan.ts";
import { readThreadNames, sessionIndexPath } from "./session_index.ts";
import { buildListQuery, encodeCursor } from "./thread_list_query.ts";
import { summarizeRollout, type ThreadSummary } from "./thread_summary.ts";
import {
  COLUMNS,
  rowFromSummary,
  SCHEMA_SQL,
  SCHEMA_VERSION,
  summaryFromRow,
} from "./index_rows.ts";

const log = getLogger("codex_core::rollout::thread_index");

/** File name of the index below `CODEX_HOME`. */
export const THREAD_INDEX_FILE = "codex_ts_threads.sqlite";

/** How long a statement waits for another process's write lock. */
const BUSY_TIMEOUT_MS = 5000;
/** How many rollouts are summarised at once during a rebuild. */
const READ_CONCURRENCY = 16;

export interface ThreadIndexOptions {
  /** Override the database location (tests). */
  dbPath?: string;
  /** Provider reported for rollouts whose `session_meta` has none. */
  defaultModelProvider?: string;
  /** Also match `searchTerm` against names (0.105 does not). */
  searchNames?: boolean;
}

/** One page of `thread/list`. */
export interface ThreadListPage {
  data: ThreadSummary[];
  nextCursor: string | null;
}

/** What a reconcile or rebuild did. */
export interface ReconcileStats {
  scanned: number;
  read: number;
  removed: number;
  /** Whether the database was recreated from nothing. */
  rebuilt: boolean;
}

function isCorruption(error: unknown): boolean {
  const text = String(error instanceof Error ? error.message : error);
  return /not a database|malformed|corrupt|file is encrypted|disk image/i.test(text);
}

async function removeDbFiles(dbPath: string): Promise<void> {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    await Deno.remove(dbPath + suffix).catch(() => {});
  }
}

/** The SQLite thread index of one `CODEX_HOME`. */
export class ThreadIndex {
  readonly codexHome: string;
  readonly dbPath: string;
  readonly #options: ThreadIndexOptions;
  #db: DatabaseSync;

  private constructor(
    codexHome: string,
    dbPath: string,
    db: DatabaseSync,
    opts: ThreadIndexOptions,
  ) {
    this.codexHome = codexHome;
    this.dbPath = dbPath;
    this.#db = db;
    this.#options = opts;
  }

  /**
   * Opens the index, recreating it if it is missing or broken, and reconciles it with the
   * rollouts on disk. Never fails because of the database file's contents.
   */
  static async open(codexHome: string, options: ThreadIndexOptions = {}): Promise<ThreadIndex> {
    const dbPath = options.dbPath ?? join(codexHome, THREAD_INDEX_FILE);
    await Deno.mkdir(codexHome, { recursive: true });
    const { db, fresh } = await ThreadIndex.#openDb(dbPath);
    const index = new ThreadIndex(codexHome, dbPath, db, options);
    await index.reconcile({ full: fresh });
    return index;
  }

  static async #openDb(dbPath: string): Promise<{ db: DatabaseSync; fresh: boolean }> {
    let existed = true;
    try {
      await Deno.stat(dbPath);
    } catch {
      existed = false;
    }
    if (existed) {
      let db: DatabaseSync | null = null;
      try {
        db = ThreadIndex.#connect(dbPath);
        const check = db.prepare("PRAGMA quick_check").get() as Record<string, unknown>;
        if (Object.values(check)[0] !== "ok") throw new Error("quick_check failed");
        const version = db.prepare("PRAGMA user_version").get() as { user_version: number };
        if (version.user_version === SCHEMA_VERSION) return { db, fresh: false };
        log.info("thread index has another schema version; rebuilding", { dbPath });
      } catch (error) {
        log.warn("thread index is unreadable; rebuilding from rollouts", {
          dbPath,
          error: String(error),
        });
      }
      try {
        db?.close();
      } catch { /* already unusable */ }
      await removeDbFiles(dbPath);
    }
    const db = ThreadIndex.#connect(dbPath);
    db.exec(SCHEMA_SQL);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    return { db, fresh: true };
  }

  static #connect(dbPath: string): DatabaseSync {
    const db = new DatabaseSync(dbPath);
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    return db;
  }

  /** Closes the database. */
  close(): void {
    this.#db.close();
  }

  /** Inserts or replaces a thread. A `null` name keeps the stored one. */
  upsert(summary: ThreadSummary, file?: { mtimeMs: number; size: number }): void {
    const row = rowFromSummary(summary, file);
    const names = Object.keys(row);
    const sets = names.filter((n) => n !== "id" && n !== "name").map((n) => `${n} = excluded.${n}`);
    this.#db.prepare(
      `INSERT INTO threads (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")}) ` +
        `ON CONFLICT(id) DO UPDATE SET ${sets.join(", ")}, ` +
        `name = coalesce(excluded.name, threads.name)`,
    ).run(...Object.values(row));
  }

  /** One thread, or `null`. */
  get(threadId: string): ThreadSummary | null {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM threads WHERE id = ?`)
      .get(threadId.toLowerCase());
    return row ? summaryFromRow(row as Record<string, unknown>) : null;
  }

  /** Records new content: the user message preview (first one only) and the mtime. */
  touch(threadId: string, updatedAt: number, preview?: string): void {
    this.#db.prepare(
      "UPDATE threads SET updated_at = ?, has_user_message = has_user_message OR ?, " +
        "preview = CASE WHEN has_user_message = 1 THEN preview ELSE coalesce(?, preview) END " +
        "WHERE id = ?",
    ).run(updatedAt, preview === undefined ? 0 : 1, preview ?? null, threadId.toLowerCase());
  }

  /** Marks a thread archived or live after its file moved to `rolloutPath`. */
  setArchived(threadId: string, archived: boolean, rolloutPath: string, updatedAt?: number): void {
    this.#db.prepare(
      "UPDATE threads SET archived = ?, rollout_path = ?, updated_at = coalesce(?, updated_at) " +
        "WHERE id = ?",
    ).run(archived ? 1 : 0, rolloutPath, updatedAt ?? null, threadId.toLowerCase());
  }

  /** Stores a thread's name (already appended to `session_index.jsonl` by the caller). */
  setName(threadId: string, name: string | null): void {
    this.#db.prepare("UPDATE threads SET name = ? WHERE id = ?").run(name, threadId.toLowerCase());
  }

  /** Drops a thread (its rollout is gone). */
  remove(threadId: string): void {
    this.#db.prepare("DELETE FROM threads WHERE id = ?").run(threadId.toLowerCase());
  }

  /**
   * One `thread/list` page. Throws `InvalidCursorError` for a bad cursor. If the database
   * turns out to be corrupt, it is rebuilt from the rollouts and the query runs again.
   */
  async list(params: ThreadListParams): Promise<ThreadListPage> {
    try {
      return this.#list(params);
    } catch (error) {
      if (!isCorruption(error)) throw error;
      log.warn("thread index is corrupt; rebuilding from rollouts", { error: String(error) });
      await this.rebuild();
      return this.#list(params);
    }
  }

  #list(params: ThreadListParams): ThreadListPage {
    const query = buildListQuery(params, COLUMNS, { searchNames: this.#options.searchNames });
    const rows = this.#db.prepare(query.sql).all(...query.args) as Record<string, unknown>[];
    const data = rows.slice(0, query.limit).map(summaryFromRow);
    const last = data[data.length - 1];
    const nextCursor = rows.length > query.limit && last
      ? encodeCursor(query.sortColumn === "updated_at" ? last.updatedAt : last.createdAt, last.id)
      : null;
    return { data, nextCursor };
  }

  /** Throws the database away and recreates it from the rollouts. */
  async rebuild(): Promise<ReconcileStats> {
    try {
      this.#db.close();
    } catch { /* closing a broken handle */ }
    await removeDbFiles(this.dbPath);
    const { db } = await ThreadIndex.#openDb(this.dbPath);
    this.#db = db;
    return await this.reconcile({ full: true });
  }

  /**
   * Brings the index in line with the files: re-reads new or changed rollouts, drops rows whose
   * rollout vanished, and re-applies names when `session_index.jsonl` changed (or `full`).
   */
  async reconcile(options: { full?: boolean } = {}): Promise<ReconcileStats> {
    const full = options.full ?? false;
    const files = await scanRolloutFiles(this.codexHome);
    const known = new Map<string, { path: string; mtimeMs: number; size: number }>();
    for (
      const row of this.#db.prepare(
        "SELECT id, rollout_path, file_mtime_ms, file_size FROM threads",
      ).all()
    ) {
      const r = row as {
        id: string;
        rollout_path: string;
        file_mtime_ms: number;
        file_size: number;
      };
      known.set(r.id, { path: r.rollout_path, mtimeMs: r.file_mtime_ms, size: r.file_size });
    }
    // A thread present both live and archived (an interrupted copy) is reported as live.
    const byId = new Map<string, (typeof files)[number]>();
    for (const f of files) {
      const seen = byId.get(f.threadId);
      if (!seen || (seen.archived && !f.archived)) byId.set(f.threadId, f);
    }
    const changed = [...byId.values()].filter((f) => {
      const k = known.get(f.threadId);
      return full || !k || k.path !== f.path || k.mtimeMs !== f.mtimeMs || k.size !== f.size;
    });
    const summaries: { summary: ThreadSummary; file: (typeof files)[number] }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < changed.length) {
        const file = changed[next++]!;
        try {
          const summary = await summarizeRollout(file.path, {
            archived: file.archived,
            defaultModelProvider: this.#options.defaultModelProvider,
          });
          if (summary) summaries.push({ summary: { ...summary, id: file.threadId }, file });
          else log.warn("rollout has no session_meta; not indexed", { path: file.path });
        } catch (error) {
          log.warn("cannot read rollout; not indexed", { path: file.path, error: String(error) });
        }
      }
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));

    const namesStamp = await this.#sessionIndexStamp();
    const namesChanged = full || namesStamp !== this.#meta("session_index_stamp");
    const names = namesChanged ? await readThreadNames(this.codexHome) : null;
    const gone = [...known.keys()].filter((id) => !byId.has(id));

    this.#transaction(() => {
      for (const id of gone) this.remove(id);
      for (const { summary, file } of summaries) this.upsert(summary, file);
      if (names) {
        const stmt = this.#db.prepare("UPDATE threads SET name = ? WHERE id = ?");
        for (const [id, name] of names) stmt.run(name, id);
        this.#setMeta("session_index_stamp", namesStamp);
      }
    });
    const stats = {
      scanned: files.length,
      read: changed.length,
      removed: gone.length,
      rebuilt: full,
    };
    log.debug("thread index reconciled", { ...stats });
    return stats;
  }

  async #sessionIndexStamp(): Promise<string> {
    try {
      const stat = await Deno.stat(sessionIndexPath(this.codexHome));
      return `${stat.size}:${stat.mtime?.getTime() ?? 0}`;
    } catch {
      return "missing";
    }
  }

  #meta(key: string): string | null {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value ?? null;
  }

  #setMeta(key: string, value: string): void {
    this.#db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(key, value);
  }

  #transaction(body: () => void): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      body();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}
