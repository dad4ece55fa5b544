/**
 * Newline-delimited framing for the stdio transport, with a hard cap on line length so a
 * client that never sends `\n` cannot make us buffer without bound.
 *
 * @module
 */

/** What the splitter produces for each input line. */
export type Frame =
  | { kind: "line"; text: string }
  | { kind: "oversized"; bytes: number; head: string };

import { numericIdFromSource, topLevelMemberSource } from "./id_source.ts";
import type { RequestId } from "./message.ts";

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines. Lines longer than `maxLineBytes` are not kept: the
 * splitter reports them once, with their size and first bytes (so the caller can name the
 * request id), and skips to the next newline.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  #parts: Uint8Array[] = [];
  #size = 0;
  #discarding = false;
  #discarded = 0;
  #head = "";
  readonly #decoder = new TextDecoder();

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feeds one chunk and returns the frames it completes. */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      this.#append(chunk.subarray(start, end));
      if (nl === -1) break;
      const frame = this.#finishLine();
      if (frame) frames.push(frame);
      start = nl + 1;
    }
    return frames;
  }

  /** Flushes a final line that had no trailing newline (at EOF). */
  end(): Frame[] {
    const frame = this.#finishLine();
    return frame ? [frame] : [];
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#discarding) {
      this.#discarded += bytes.length;
      return;
    }
    if (this.#size + bytes.length > this.#maxLineBytes) {
      this.#head = this.#decoder.decode(concat(this.#parts, this.#size).subarray(0, 1024));
      if (this.#head.length < 1024) {
        this.#head += this.#decoder.decode(bytes.subarray(0, 1024 - this.#head.length));
      }
      this.#discarding = true;
      this.#discarded = this.#size + bytes.length;
      this.#parts = [];
      this.#size = 0;
      return;
    }
    this.#parts.push(bytes.slice());
    this.#size += bytes.length;
  }

  #finishLine(): Frame | null {
    if (this.#discarding) {
      const frame: Frame = { kind: "oversized", bytes: this.#discarded, head: this.#head };
      this.#discarding = false;
      this.#discarded = 0;
      this.#head = "";
      return frame;
    }
    if (this.#size === 0) {
      this.#parts = [];
      return null;
    }
    const bytes = concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    let text = this.#decoder.decode(bytes);
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() === "") return null;
    return { kind: "line", text };
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Best-effort id of a message we refuse to parse (too large), so the error can still be
 * matched to the request by the client. Only the top-level `id` counts.
 */
export function sniffRequestId(head: string): RequestId | null {
  const source = topLevelMemberSource(head, "id");
  if (source === null) return null;
  if (source.startsWith('"')) {
    try {
      return JSON.parse(source) as string;
    } catch {
      return null;
    }
  }
  return numericIdFromSource(source) ?? null;
}
