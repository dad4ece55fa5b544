/**
 * A streaming parser for `text/event-stream` bodies, as model providers send them.
 *
 * Written against the WHATWG event-stream rules rather than any one server: lines may end in
 * LF, CRLF or a lone CR (even when the CR and LF arrive in different chunks), `data:` lines
 * accumulate with `\n`, lines starting with `:` are comments (keep-alives), and a blank line
 * dispatches. Line length is bounded so a misbehaving server cannot make us buffer without
 * limit; the default leaves room for large items such as encrypted reasoning.
 *
 * @module
 */

/** One dispatched server-sent event. */
export interface SseEvent {
  /** The `event:` field; `"message"` when the server sent none. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` field seen, if any. */
  id: string | null;
}

/** Raised when the stream violates our bounds (the caller treats it as a broken stream). */
export class SseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SseError";
  }
}

/** Default cap on one line, in UTF-16 code units. */
export const DEFAULT_MAX_SSE_LINE = 32 * 1024 * 1024;

/**
 * Incremental decoder: feed text with {@linkcode SseDecoder.push}, get the events each chunk
 * completes. Pure and synchronous, so the framing rules are easy to test in isolation.
 */
export class SseDecoder {
  readonly #maxLine: number;
  #buffer = "";
  #skipLf = false;
  #first = true;
  #event = "";
  #data: string[] = [];
  #lastId: string | null = null;

  constructor(maxLine: number = DEFAULT_MAX_SSE_LINE) {
    this.#maxLine = maxLine;
  }

  /** Adds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[] {
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      if (c === 0x0a && this.#skipLf && i === start && this.#buffer === "") {
        // The LF of a CRLF whose CR ended the previous line.
        this.#skipLf = false;
        start = i + 1;
        continue;
      }
      const line = this.#buffer + text.slice(start, i);
      this.#buffer = "";
      this.#checkLength(line.length);
      this.#skipLf = c === 0x0d;
      if (c === 0x0d && i + 1 < text.length && text.charCodeAt(i + 1) === 0x0a) {
        i++;
        this.#skipLf = false;
      }
      start = i + 1;
      const event = this.#line(line);
      if (event) out.push(event);
    }
    if (start < text.length) {
      this.#skipLf = false;
      this.#buffer += text.slice(start);
      this.#checkLength(this.#buffer.length);
    }
    return out;
  }

  /**
   * Signals the end of the body. An event without its closing blank line is dropped, as the
   * event-stream rules require: a cut-off frame must not be mistaken for a whole one.
   */
  end(): SseEvent[] {
    this.#buffer = "";
    this.#event = "";
    this.#data = [];
    return [];
  }

  #checkLength(length: number): void {
    if (length > this.#maxLine) {
      throw new SseError(`SSE line longer than ${this.#maxLine} characters`);
    }
  }

  #line(line: string): SseEvent | null {
    if (line === "") return this.#dispatch();
    if (line.charCodeAt(0) === 0x3a) return null; // ":" comment / keep-alive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    switch (field) {
      case "event":
        this.#event = value;
        break;
      case "data":
        this.#data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.#lastId = value;
        break;
      default:
        // `retry` and unknown fields do not matter for one-shot model streams.
        break;
    }
    return null;
  }

  #dispatch(): SseEvent | null {
    const event = this.#event;
    this.#event = "";
    if (this.#data.length === 0) return null;
    const data = this.#data.join("\n");
    this.#data = [];
    return { event: event === "" ? "message" : event, data, id: this.#lastId };
  }
}

/**
 * Yields the events of a byte stream. Cancelling the iteration (break/return) cancels the
 * underlying body so the connection is released.
 */
export async function* sseEvents(
  body: ReadableStream<Uint8Array>,
  maxLine: number = DEFAULT_MAX_SSE_LINE,
): AsyncGenerator<SseEvent, void, undefined> {
  const decoder = new SseDecoder(maxLine);
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let finished = false;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        yield* decoder.end();
        return;
      }
      yield* decoder.push(value);
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
