/**
 * Reading rollouts back. Files may come from us, from the reference, or from a process that
 * was killed mid-write, so reading is forgiving: a line that does not parse is skipped with a
 * warning and never fails the read, and a torn last line (the only damage our writer can
 * leave) is skipped quietly and reported to the caller.
 *
 * Files are streamed line by line, so summarising a large rollout for the index stops after
 * the first user message instead of loading the whole file.
 *
 * @module
 */

import { getLogger } from "../../log/logger.ts";
import type { RolloutRecord, SessionMetaPayload } from "./rollout_format.ts";

const log = getLogger("codex_core::rollout::reader");

/** A line the reader did not return. */
export interface SkippedLine {
  /** 1-based line number. */
  line: number;
  reason: string;
  /** The last line of the file, without a final newline: an interrupted write. */
  torn: boolean;
}

/** Everything a rollout holds. */
export interface RolloutContents {
  path: string;
  /** The first `session_meta` payload, or `null` if the file has none. */
  meta: SessionMetaPayload | null;
  /** Every valid line, `session_meta` included, in file order. */
  records: RolloutRecord[];
  skipped: SkippedLine[];
}

/** One line as seen by `iterateRolloutLines`. */
export type RolloutLine =
  | { line: number; record: RolloutRecord }
  | { line: number; skipped: SkippedLine };

const NEWLINE = 0x0a;

/** Yields the raw lines of a file (without the newline) and whether each one was terminated. */
async function* rawLines(
  path: string,
): AsyncGenerator<{ bytes: Uint8Array; terminated: boolean }> {
  const file = await Deno.open(path, { read: true });
  const reader = file.readable.getReader();
  let carry: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      let chunk: Uint8Array<ArrayBufferLike> = value;
      if (carry.length > 0) {
        const joined = new Uint8Array(carry.length + value.length);
        joined.set(carry);
        joined.set(value, carry.length);
        chunk = joined;
      }
      let start = 0;
      let nl = chunk.indexOf(NEWLINE, start);
      while (nl >= 0) {
        yield { bytes: chunk.subarray(start, nl), terminated: true };
        start = nl + 1;
        nl = chunk.indexOf(NEWLINE, start);
      }
      carry = chunk.slice(start);
    }
    if (carry.length > 0) yield { bytes: carry, terminated: false };
  } finally {
    // Runs on early exit too (a consumer that stops after the first user message).
    await reader.cancel().catch(() => {});
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function parseRecord(bytes: Uint8Array): RolloutRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not an object";
  const r = value as Record<string, unknown>;
  if (typeof r.type !== "string") return "missing record type";
  if (r.payload === null || typeof r.payload !== "object" || Array.isArray(r.payload)) {
    return "missing payload";
  }
  return {
    timestamp: typeof r.timestamp === "string" ? r.timestamp : "",
    type: r.type,
    payload: r.payload as Record<string, unknown>,
  };
}

/**
 * Streams a rollout's lines, parsed. Blank lines are ignored. An unterminated last line that
 * still parses is returned (only its newline was lost); one that does not is reported as torn.
 */
export async function* iterateRolloutLines(path: string): AsyncGenerator<RolloutLine> {
  let line = 0;
  for await (const raw of rawLines(path)) {
    line++;
    if (raw.bytes.every((b) => b === 0x20 || b === 0x09 || b === 0x0d)) continue;
    const parsed = parseRecord(raw.bytes);
    if (typeof parsed !== "string") {
      yield { line, record: parsed };
      continue;
    }
    const skipped: SkippedLine = { line, reason: parsed, torn: !raw.terminated };
    if (skipped.torn) log.debug("skipping torn last line of rollout", { path, line });
    else log.warn("skipping unreadable rollout line", { path, line, reason: parsed });
    yield { line, skipped };
  }
}

/** Reads a whole rollout. Throws only when the file itself cannot be read. */
export async function readRollout(path: string): Promise<RolloutContents> {
  const contents: RolloutContents = { path, meta: null, records: [], skipped: [] };
  for await (const item of iterateRolloutLines(path)) {
    if ("skipped" in item) {
      contents.skipped.push(item.skipped);
      continue;
    }
    if (contents.meta === null && item.record.type === "session_meta") {
      contents.meta = item.record.payload as SessionMetaPayload;
    }
    contents.records.push(item.record);
  }
  return contents;
}
