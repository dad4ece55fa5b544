/**
 * Append-only rollout files.
 *
 * Durability model: every line is produced whole in memory and handed to the kernel with one
 * `write` on a file opened with `O_APPEND`, and all writes of one file go through a single
 * serialized queue. A process killed at any moment therefore leaves at most one partial line,
 * always the last one, which the reader skips. Concurrent `append` calls can never interleave
 * bytes. `fsync` is optional and, when enabled, happens at turn boundaries only, because an
 * fsync per line would dominate the cost of a turn.
 *
 * Laziness: like the reference, a thread that never receives a user message never reaches
 * disk. Records appended before that are kept in memory and written, after `session_meta`,
 * the moment the first `user_message` event arrives (or `materialize()` is called, e.g. for a
 * fork that already has history).
 *
 * @module
 */

import { endsWithNewline } from "./jsonl_tail.ts";
import { dirname } from "node:path";
import { getLogger } from "../../log/logger.ts";
import {
  formatRecordTimestamp,
  isUserMessageEvent,
  type RolloutItem,
  rolloutPathFor,
  type RolloutRecord,
  type SessionMetaPayload,
} from "./rollout_format.ts";

const log = getLogger("codex_core::rollout::writer");
const encoder = new TextEncoder();

/** When the writer asks the OS to push data to the disk. */
export type RolloutSyncPolicy = "never" | "turnEnd";

/** Event types that end a turn; with `turnEnd` the file is fsynced after writing them. */
const TURN_END_EVENTS = new Set(["task_complete", "turn_aborted"]);

export interface RolloutWriterOptions {
  /** Default `"never"`: the reference does not fsync either. */
  sync?: RolloutSyncPolicy;
  /** Clock for line timestamps (tests). */
  now?: () => Date;
  /** Keeps nothing: an ephemeral thread (`thread/start` `ephemeral`) never reaches disk. */
  ephemeral?: boolean;
}

/** Writes one thread's rollout. Create with `RolloutWriter.create` or `RolloutWriter.resume`. */
export class RolloutWriter {
  /** Absolute path of the rollout, known before the file exists. */
  readonly path: string;
  readonly #meta: SessionMetaPayload | null;
  readonly #sync: RolloutSyncPolicy;
  readonly #now: () => Date;
  readonly #ephemeral: boolean;
  #file: Deno.FsFile | null = null;
  #materialized: boolean;
  #pending: RolloutRecord[] = [];
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(
    path: string,
    meta: SessionMetaPayload | null,
    materialized: boolean,
    options: RolloutWriterOptions,
  ) {
    this.path = path;
    this.#meta = meta;
    this.#materialized = materialized;
    this.#sync = options.sync ?? "never";
    this.#now = options.now ?? (() => new Date());
    this.#ephemeral = options.ephemeral ?? false;
  }

  /**
   * A writer for a new thread. The path comes from `meta.timestamp` and `meta.id`, so it can be
   * reported by `thread/start` although nothing is written yet.
   */
  static create(
    codexHome: string,
    meta: SessionMetaPayload,
    options: RolloutWriterOptions = {},
  ): RolloutWriter {
    const createdAt = new Date(meta.timestamp);
    if (Number.isNaN(createdAt.getTime())) {
      throw new Error(`invalid session_meta timestamp: ${meta.timestamp}`);
    }
    return new RolloutWriter(rolloutPathFor(codexHome, createdAt, meta.id), meta, false, options);
  }

  /**
   * A writer that appends to an existing rollout (resume). If the file ends in a torn line, a
   * newline is written first so the next record starts on a line of its own instead of being
   * glued to, and lost with, the fragment.
   */
  static async resume(path: string, options: RolloutWriterOptions = {}): Promise<RolloutWriter> {
    const writer = new RolloutWriter(path, null, true, options);
    const file = await Deno.open(path, { read: true, append: true });
    writer.#file = file;
    const { size } = await file.stat();
    if (!(await endsWithNewline(path, size))) {
      log.warn("rollout ends with a torn line; starting a new line", { path });
      await writeAll(file, encoder.encode("\n"));
    }
    return writer;
  }

  /** Whether this writer keeps nothing. */
  get ephemeral(): boolean {
    return this.#ephemeral;
  }

  /** Whether the file exists on disk (a user message was recorded, or it was resumed). */
  get materialized(): boolean {
    return this.#materialized;
  }

  /**
   * Stamps and appends records. Resolves once they are written (or buffered, before the first
   * user message); rejects if a write fails. Calls may overlap freely.
   */
  append(items: RolloutItem | readonly RolloutItem[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`rollout writer is closed: ${this.path}`));
    if (this.#ephemeral) return Promise.resolve();
    const list: readonly RolloutItem[] = Array.isArray(items) ? items : [items as RolloutItem];
    const stamp = formatRecordTimestamp(this.#now());
    const records = list.map((item): RolloutRecord => ({
      timestamp: stamp,
      type: item.type,
      payload: item.payload,
    }));
    if (!this.#materialized) {
      this.#pending.push(...records);
      if (!records.some((r) => isUserMessageEvent(r.type, r.payload))) return Promise.resolve();
      return this.#startFile();
    }
    return this.#enqueue(records);
  }

  /** Creates the file now, with whatever was buffered (a fork with history). */
  materialize(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`rollout writer is closed: ${this.path}`));
    if (this.#materialized || this.#ephemeral) return this.flush();
    return this.#startFile();
  }

  /** Resolves when every record appended so far has been handed to the OS. */
  flush(): Promise<void> {
    return this.#tail;
  }

  /** Flushes, then asks the OS to persist the file (no-op before the file exists). */
  sync(): Promise<void> {
    return this.#run(async () => {
      if (this.#file) await this.#file.syncData();
    });
  }

  /**
   * Flushes and closes. Records buffered before any user message are dropped, as the reference
   * drops threads that never got one. Returns whether the rollout exists on disk.
   */
  async close(): Promise<boolean> {
    if (this.#closed) {
      await this.#tail;
      return this.#materialized;
    }
    this.#closed = true;
    await this.#run(async () => {
      if (this.#file && this.#sync !== "never") await this.#file.syncData();
      this.#file?.close();
      this.#file = null;
    });
    this.#pending = [];
    return this.#materialized;
  }

  #startFile(): Promise<void> {
    this.#materialized = true;
    const meta = this.#meta;
    const records: RolloutRecord[] = [];
    if (meta) {
      records.push({
        timestamp: formatRecordTimestamp(this.#now()),
        type: "session_meta",
        payload: meta as Record<string, unknown>,
      });
    }
    records.push(...this.#pending);
    this.#pending = [];
    // Opening and the first lines are one queued task, so appends made meanwhile land after them.
    return this.#enqueue(records, async () => {
      await Deno.mkdir(dirname(this.path), { recursive: true });
      this.#file = await Deno.open(this.path, { create: true, append: true });
    });
  }

  #enqueue(records: readonly RolloutRecord[], before?: () => Promise<void>): Promise<void> {
    const lines = records.map((r) => encoder.encode(JSON.stringify(r) + "\n"));
    const endsTurn = this.#sync === "turnEnd" &&
      records.some((r) => r.type === "event_msg" && TURN_END_EVENTS.has(String(r.payload.type)));
    return this.#run(async () => {
      if (before) await before();
      const file = this.#file;
      if (!file) throw new Error(`rollout file is not open: ${this.path}`);
      for (const line of lines) await writeAll(file, line);
      if (endsTurn) await file.syncData();
    });
  }

  /** Runs `task` after everything queued before it; the queue survives a failed task. */
  #run(task: () => Promise<void>): Promise<void> {
    const result = this.#tail.then(task);
    this.#tail = result.catch((error) => {
      log.error("rollout write failed", { path: this.path, error: String(error) });
    });
    return result;
  }
}

/**
 * Writes a whole buffer. For a regular file the first `write` takes all of it; the loop only
 * guards against a short write, which would otherwise silently truncate a line.
 */
async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}
