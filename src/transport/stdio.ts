/**
 * The stdio transport: newline-delimited JSON on stdin/stdout for one client (connection 0).
 * Output goes through one serialized async writer; when the client reads slowly we stop
 * reading its input instead of buffering or dropping, so stdio never loses a message.
 *
 * @module
 */

import { LineSplitter, sniffRequestId } from "../jsonrpc/framing.ts";
import { invalidRequest } from "../jsonrpc/errors.ts";
import type { AppServer } from "../server/app_server.ts";
import type { ConnectionSink } from "../server/connection.ts";
import { getLogger } from "../log/logger.ts";
import { delay } from "../util/delay.ts";

const log = getLogger("codex_app_server::transport");

/** Longest accepted input line; longer ones are refused with an error (see README). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Queued output above which we pause reading input. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Size of the reused write buffer; a longer line is encoded and written on its own. */
const BUFFER_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** How long requests already received may take to finish after stdin ends. */
const EOF_GRACE_MS = 2_000;

/** Minimal byte sink so tests can swap stdout for a pipe. */
export interface ByteWriter {
  /** Writes some of `bytes`; they must be consumed (copied) by the time it resolves. */
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * Serializes writes of whole lines to one byte writer. Batches what queued up while the
 * previous write was in flight, and loops on partial writes.
 */
export class LineWriter implements ConnectionSink {
  readonly #out: ByteWriter;
  readonly #encoder = new TextEncoder();
  /**
   * Lines are encoded into this one reused buffer and written when it fills. Joining a batch
   * into one string and encoding that allocated two copies of everything streamed, which
   * only a major garbage collection returned (+100 MB RSS while a command printed 50 MB).
   */
  readonly #buffer = new Uint8Array(BUFFER_BYTES);
  #used = 0;
  #queue: string[] = [];
  #queuedBytes = 0;
  #writing: Promise<void> | null = null;
  #closed = false;
  #drainWaiters: Array<() => void> = [];

  constructor(out: ByteWriter) {
    this.#out = out;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get saturated(): boolean {
    return this.#queuedBytes > HIGH_WATER_BYTES;
  }

  send(text: string): boolean {
    if (this.#closed) return false;
    this.#queue.push(text);
    this.#queuedBytes += text.length + 1;
    this.#writing ??= this.#drain();
    return true;
  }

  whenWritable(): Promise<void> {
    if (!this.saturated || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  close(_reason: string): void {
    this.#closed = true;
    this.#wake();
  }

  /** Resolves when everything queued so far has been written. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        for (const text of batch) {
          await this.#line(text);
          this.#queuedBytes -= text.length + 1;
        }
        await this.#flushBuffer();
        if (!this.saturated) this.#wake();
      }
    } catch (err) {
      log.error("stdout writer failed; closing", { error: String(err) });
      this.#closed = true;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.#used = 0;
    } finally {
      this.#writing = null;
      this.#wake();
    }
  }

  /** Adds one line to the buffer, writing out what is there first when it would not fit. */
  async #line(text: string): Promise<void> {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit, plus the newline.
    const worst = text.length * 3 + 1;
    if (this.#used + worst > this.#buffer.length) await this.#flushBuffer();
    if (worst > this.#buffer.length) {
      await this.#writeAll(this.#encoder.encode(text + "\n"));
      return;
    }
    this.#used += this.#encoder.encodeInto(text, this.#buffer.subarray(this.#used)).written;
    this.#buffer[this.#used++] = NEWLINE;
  }

  async #flushBuffer(): Promise<void> {
    if (this.#used === 0) return;
    const bytes = this.#buffer.subarray(0, this.#used);
    this.#used = 0;
    await this.#writeAll(bytes);
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.#out.write(bytes.subarray(offset));
    }
  }

  #wake(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }
}

/** Options for {@linkcode serveStdio}. */
export interface StdioOptions {
  input?: ReadableStream<Uint8Array>;
  output?: ByteWriter;
  maxMessageBytes?: number;
}

/**
 * Serves one client over stdin/stdout until stdin ends, then flushes stdout and resolves.
 */
export async function serveStdio(server: AppServer, opts: StdioOptions = {}): Promise<void> {
  const writer = new LineWriter(opts.output ?? Deno.stdout);
  const conn = server.openConnection(0, writer);
  const maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const splitter = new LineSplitter(maxBytes);
  const input = opts.input ?? Deno.stdin.readable;
  const handleFrames = async (frames: ReturnType<LineSplitter["push"]>) => {
    for (const frame of frames) {
      // Wait for room before each message, so a burst in one read is never refused.
      if (conn.full || writer.saturated) await conn.whenReady();
      if (frame.kind === "line") {
        server.receive(conn, frame.text);
      } else {
        log.error("dropping oversized message", { bytes: frame.bytes, limit: maxBytes });
        const err = invalidRequest(
          `Invalid request: message of ${frame.bytes} bytes exceeds the limit of ${maxBytes} bytes`,
          { reason: "messageTooLarge", limitBytes: maxBytes },
        );
        conn.enqueueReply({ error: err.toErrorObject(), id: sniffRequestId(frame.head) });
      }
    }
  };
  try {
    for await (const chunk of input) {
      await handleFrames(splitter.push(chunk));
      if (writer.closed) break;
    }
    await handleFrames(splitter.end());
  } catch (err) {
    log.error("stdin reader failed", { error: String(err) });
  }
  log.debug("stdin reader finished (EOF)");
  // Answer what the client already sent, but never let one slow handler keep us alive.
  await Promise.race([conn.whenIdle(), delay(EOF_GRACE_MS)]);
  await writer.flush();
  server.closeConnection(conn);
}
