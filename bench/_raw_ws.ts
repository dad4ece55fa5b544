/**
 * A websocket client done by hand over raw TCP, so that "stops reading" is literal: once it has
 * its answers it never touches the socket's read side again, and whatever the server sends it
 * piles up in the server's buffers (the kernel's socket buffers fill within a few hundred KB).
 *
 * @module
 */

import { assertInitialized, INITIALIZE_PARAMS, type RpcMessage } from "./_rpc.ts";
import { withTimeout } from "./_servers.ts";

/** How a `RawWsPeer.drain` ended. */
export interface DrainEnd {
  /** Quiet for `idleMs` ("idle"), read failed, EOF, `onChunk` asked to stop, or out of time. */
  end: "idle" | "error" | "eof" | "stopped" | "budget";
  /** Bytes that were waiting unread (held plus read while draining). */
  bytes: number;
  /** The read error, for "error". */
  error?: unknown;
}

/** `fate()` names for how a drain ended. */
const FATES: Record<DrainEnd["end"], string> = {
  idle: "open",
  error: "reset",
  eof: "EOF",
  stopped: "open",
  budget: "open (still sending)",
};

/** A raw-TCP websocket peer: requests, then (optionally) a stall, then a drain. */
export class RawWsPeer {
  #buffer: Uint8Array = new Uint8Array(0);

  private constructor(readonly conn: Deno.TcpConn) {}

  /** Connects, upgrades and initializes; `label` names the peer in errors. */
  static async open(port: number, timeoutMs = 10_000, label = "raw peer"): Promise<RawWsPeer> {
    const conn = await withTimeout(
      Deno.connect({ hostname: "127.0.0.1", port }),
      timeoutMs,
      `${label} connect`,
    );
    const peer = new RawWsPeer(conn);
    try {
      await withTimeout(peer.#handshake(port), timeoutMs, `${label} handshake`);
      const init = await peer.request("initialize", INITIALIZE_PARAMS, timeoutMs);
      assertInitialized(label, init);
      await peer.send({ method: "initialized" });
    } catch (err) {
      peer.close();
      throw err;
    }
    return peer;
  }

  /** Sends a request and reads frames (discarding notifications) until its answer. */
  async request(method: string, params: unknown, timeoutMs = 20_000): Promise<RpcMessage> {
    const id = `raw-${method}`;
    await this.send({ id, method, params });
    return await withTimeout(
      (async () => {
        for (let frames = 0; frames < 100_000; frames++) {
          const frame = await this.#readFrame();
          if (!frame) throw new Error(`raw peer: EOF before the answer to ${method}`);
          if (frame.opcode === 8) throw new Error(`raw peer: closed before ${method} answer`);
          if (frame.opcode !== 1) continue;
          const msg = JSON.parse(new TextDecoder().decode(frame.payload)) as RpcMessage;
          if (msg.id === id && msg.method === undefined) return msg;
        }
        throw new Error(`raw peer: no answer to ${method}`);
      })(),
      timeoutMs,
      `raw peer ${method}`,
    );
  }

  /** Sends one message as a masked text frame, writing until all of it is out. */
  async send(msg: unknown): Promise<void> {
    const bytes = maskedTextFrame(JSON.stringify(msg));
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  /** Hands over (and forgets) what was read past the last frame consumed. */
  takeBuffered(): Uint8Array {
    const held = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return held;
  }

  /**
   * After the stall: reads what was queued for us (bounded) and says whether the server had
   * closed the connection ("EOF" after any close frame, or "reset") or kept it open ("open").
   */
  async fate(idleMs = 1000, budgetMs = 10_000): Promise<{ fate: string; unreadBytes: number }> {
    const d = await this.drain(idleMs, budgetMs);
    return { fate: FATES[d.end], unreadBytes: d.bytes };
  }

  /**
   * Reads and drops whatever the server sends until it is quiet for `idleMs`, the connection
   * ends, `onChunk` returns true, or `budgetMs` is spent; a full socket never blocks us here.
   */
  async drain(
    idleMs: number,
    budgetMs: number,
    onChunk?: (chunk: Uint8Array) => boolean,
  ): Promise<DrainEnd> {
    let bytes = this.#buffer.length;
    const chunk = new Uint8Array(256 * 1024);
    const deadline = performance.now() + budgetMs;
    while (performance.now() < deadline) {
      let n: number | null;
      try {
        n = await withTimeout(this.conn.read(chunk), idleMs, "idle");
      } catch (err) {
        if (err instanceof Error && err.message.includes("idle")) return { end: "idle", bytes };
        return { end: "error", bytes, error: err };
      }
      if (n === null) return { end: "eof", bytes };
      bytes += n;
      if (onChunk?.(chunk.subarray(0, n))) return { end: "stopped", bytes };
    }
    return { end: "budget", bytes };
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }

  async #handshake(port: number): Promise<void> {
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const head = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    await this.conn.write(new TextEncoder().encode(head));
    for (let reads = 0; reads < 1000; reads++) {
      const end = indexOfCrlf2(this.#buffer);
      if (end >= 0) {
        const text = new TextDecoder().decode(this.#buffer.subarray(0, end));
        if (!/^HTTP\/1\.1 101/.test(text)) throw new Error(`handshake refused: ${text}`);
        this.#buffer = this.#buffer.subarray(end + 4);
        return;
      }
      if (!(await this.#fill())) throw new Error("EOF during handshake");
    }
    throw new Error("handshake response too long");
  }

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.conn.read(chunk);
    if (n === null) return false;
    this.#buffer = concatBytes(this.#buffer, chunk.subarray(0, n));
    return true;
  }

  async #readFrame(): Promise<{ opcode: number; payload: Uint8Array } | undefined> {
    for (let reads = 0; reads < 100_000; reads++) {
      const frame = parseFrame(this.#buffer);
      if (frame) {
        this.#buffer = this.#buffer.subarray(frame.size);
        return frame;
      }
      if (!(await this.#fill())) return undefined;
    }
    return undefined;
  }
}

/** Tracks frame boundaries across chunks just far enough to spot a close frame. */
export class FrameScanner {
  #held: Uint8Array = new Uint8Array(0);

  get bytesHeld(): number {
    return this.#held.length;
  }

  /** Feeds bytes; returns the close code (or 0) if a close frame was seen. */
  push(bytes: Uint8Array): number | undefined {
    this.#held = concatBytes(this.#held, bytes);
    for (let i = 0; i < 100_000; i++) {
      const frame = parseFrame(this.#held);
      if (!frame) return undefined;
      this.#held = this.#held.subarray(frame.size);
      if (frame.opcode === 8) {
        return frame.payload.length >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : 0;
      }
    }
    return undefined;
  }
}

/** Parses one frame from the start of `buf` (unmasking if masked), or undefined if incomplete. */
function parseFrame(
  buf: Uint8Array,
): { opcode: number; payload: Uint8Array; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = (buf[2]! << 8) | buf[3]!;
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(new DataView(buf.buffer, buf.byteOffset + 2, 8).getBigUint64(0));
    offset = 10;
  }
  const maskKey = masked ? buf.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buf.length < offset + len) return undefined;
  const payload = buf.slice(offset, offset + len);
  if (maskKey) { for (let i = 0; i < payload.length; i++) payload[i]! ^= maskKey[i & 3]!; }
  return { opcode, payload, size: offset + len };
}

/** A client-to-server text frame (clients must mask). */
function maskedTextFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const len = payload.length;
  const header = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + len);
  frame[0] = 0x81;
  if (len < 126) {
    frame[1] = 0x80 | len;
  } else if (len < 65536) {
    frame[1] = 0x80 | 126;
    frame[2] = len >> 8;
    frame[3] = len & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(len));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, header);
  for (let i = 0; i < len; i++) frame[header + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

function indexOfCrlf2(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
