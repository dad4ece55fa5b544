/**
 * Helpers for the websocket black-box tests: spawning a websocket server, raw HTTP requests
 * and handshakes over TCP (to read statuses and bodies the WebSocket API hides), a raw
 * websocket client that can stop reading (to play a slow consumer), and HS256 JWT signing.
 * Everything talks to 127.0.0.1 (or ::1) only.
 *
 * @module
 */

import { ServerProcess, type SpawnOptions } from "./server.ts";
import type { Msg } from "./clients.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A websocket server plus its bound port. */
export interface WsServer {
  server: ServerProcess;
  port: number;
}

/** Starts `codex app-server --listen ws://127.0.0.1:0 ARGS` and waits for the banner. */
export async function startWsServer(opts: SpawnOptions = {}): Promise<WsServer> {
  const server = await ServerProcess.start({
    ...opts,
    args: ["--listen", "ws://127.0.0.1:0", ...(opts.args ?? [])],
  });
  try {
    return { server, port: await server.wsPort() };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/** Runs `fn` against a fresh websocket server and always kills it afterwards. */
export async function withWsServer(
  opts: SpawnOptions,
  fn: (s: WsServer) => Promise<void>,
): Promise<void> {
  const s = await startWsServer(opts);
  try {
    await fn(s);
  } finally {
    await s.server.close();
  }
}

/** Rejects after `ms` with `what` in the message; `clear` must be called on success. */
export function deadline(ms: number, what: string): { promise: Promise<never>; clear: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  promise.catch(() => {});
  return { promise, clear: () => clearTimeout(timer) };
}

/** Races `p` against a timeout. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  const d = deadline(ms, what);
  try {
    return await Promise.race([p, d.promise]);
  } finally {
    d.clear();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function indexOfCrlfCrlf(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/** A parsed HTTP response read off a raw socket. */
export interface RawHttpResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

/** The headers a websocket upgrade needs, plus `extra`. */
export function upgradeHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
    ...extra,
  };
}

/**
 * Sends one HTTP/1.1 request over a fresh TCP connection and reads the response head and
 * its body (by Content-Length, or until EOF). A 101 response returns with an empty body.
 */
export async function rawHttp(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; host?: string } = {},
): Promise<RawHttpResponse> {
  const hostname = opts.host ?? "127.0.0.1";
  const conn = await Deno.connect({ hostname, port });
  try {
    const headers: Record<string, string> = {
      Host: `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
      ...opts.headers,
    };
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "connection")) {
      headers.Connection = "close";
    }
    let head = `${opts.method ?? "GET"} ${opts.path ?? "/"} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    head += "\r\n";
    await writeAll(conn, enc.encode(head));
    return await within(5_000, `HTTP response from port ${port}`, readHttpResponse(conn));
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

async function readHttpResponse(conn: Deno.Conn): Promise<RawHttpResponse> {
  let buf: Uint8Array = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  let headEnd = -1;
  let eof = false;
  while (headEnd < 0) {
    const n = await conn.read(chunk);
    if (n === null) throw new Error(`connection closed before response head: ${dec.decode(buf)}`);
    buf = concat(buf, chunk.subarray(0, n));
    headEnd = indexOfCrlfCrlf(buf);
  }
  const lines = dec.decode(buf.subarray(0, headEnd)).split("\r\n");
  const status = Number(lines[0]!.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body: Uint8Array = buf.subarray(headEnd + 4);
  if (status === 101) return { status, headers, body: "" };
  const length = headers["content-length"] === undefined ? null : Number(headers["content-length"]);
  while (!eof && (length === null || body.length < length)) {
    const n = await conn.read(chunk);
    if (n === null) eof = true;
    else body = concat(body, chunk.subarray(0, n));
  }
  return { status, headers, body: dec.decode(length === null ? body : body.subarray(0, length)) };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** Encodes one masked client frame (FIN set). */
export function encodeClientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const len = payload.length;
  const headerLen = 2 + (len < 126 ? 0 : len < 65536 ? 2 : 8) + 4;
  const out = new Uint8Array(headerLen + len);
  out[0] = 0x80 | opcode;
  let at = 2;
  if (len < 126) {
    out[1] = 0x80 | len;
  } else if (len < 65536) {
    out[1] = 0x80 | 126;
    out[2] = len >> 8;
    out[3] = len & 0xff;
    at = 4;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(len));
    at = 10;
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  out.set(mask, at);
  at += 4;
  for (let i = 0; i < len; i++) out[at + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/** One frame the server sent. */
export interface ServerFrame {
  opcode: number;
  payload: Uint8Array;
}

/**
 * A websocket client over a raw TCP socket: it completes the handshake by hand, sends masked
 * frames, and reads only when told to, so it can play a peer that stops reading.
 */
export class RawWsClient {
  readonly conn: Deno.Conn;
  #buf: Uint8Array;
  /** Bytes read off the socket after the handshake. */
  bytesRead = 0;

  private constructor(conn: Deno.Conn, leftover: Uint8Array) {
    this.conn = conn;
    this.#buf = leftover;
  }

  /** Connects and completes the handshake; throws unless the server answers 101. */
  static async connect(
    port: number,
    headers: Record<string, string> = {},
    hostname = "127.0.0.1",
  ): Promise<RawWsClient> {
    const conn = await Deno.connect({ hostname, port });
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    let head = `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\n`;
    for (const [k, v] of Object.entries(upgradeHeaders(headers))) head += `${k}: ${v}\r\n`;
    await writeAll(conn, enc.encode(head + "\r\n"));
    let buf: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(4096);
    let end = -1;
    while (end < 0) {
      const n = await within(5_000, "handshake response", conn.read(chunk));
      if (n === null) throw new Error("connection closed during handshake");
      buf = concat(buf, chunk.subarray(0, n));
      end = indexOfCrlfCrlf(buf);
    }
    const statusLine = dec.decode(buf.subarray(0, end)).split("\r\n")[0]!;
    if (!statusLine.includes(" 101 ")) {
      conn.close();
      throw new Error(`handshake refused: ${statusLine}`);
    }
    return new RawWsClient(conn, buf.slice(end + 4));
  }

  /** Sends one text frame. */
  async sendText(text: string): Promise<void> {
    await writeAll(this.conn, encodeClientFrame(1, enc.encode(text)));
  }

  /** Sends a JSON value as one text frame. */
  send(value: unknown): Promise<void> {
    return this.sendText(JSON.stringify(value));
  }

  /** Sends an arbitrary frame. */
  async sendFrame(opcode: number, payload: Uint8Array): Promise<void> {
    await writeAll(this.conn, encodeClientFrame(opcode, payload));
  }

  /** Reads the next complete frame, or null at EOF/reset. Continuations are joined. */
  async readFrame(): Promise<ServerFrame | null> {
    let opcode = -1;
    let parts: Uint8Array[] = [];
    for (;;) {
      const frame = await this.#readOneFrame();
      if (frame === null) return null;
      if (frame.opcode !== 0) {
        opcode = frame.opcode;
        parts = [];
      }
      parts.push(frame.payload);
      if (frame.fin || frame.opcode >= 8) {
        const total = parts.reduce((n, p) => n + p.length, 0);
        const payload = new Uint8Array(total);
        let at = 0;
        for (const p of parts) {
          payload.set(p, at);
          at += p.length;
        }
        return { opcode, payload };
      }
    }
  }

  async #fill(need: number): Promise<boolean> {
    const chunk = new Uint8Array(256 * 1024);
    while (this.#buf.length < need) {
      let n: number | null;
      try {
        n = await this.conn.read(chunk);
      } catch {
        n = null; // reset
      }
      if (n === null) return false;
      this.bytesRead += n;
      this.#buf = concat(this.#buf, chunk.subarray(0, n));
    }
    return true;
  }

  async #readOneFrame(): Promise<{ fin: boolean; opcode: number; payload: Uint8Array } | null> {
    if (!await this.#fill(2)) return null;
    const b0 = this.#buf[0]!;
    const b1 = this.#buf[1]!;
    let len = b1 & 0x7f;
    let at = 2;
    if (len === 126) {
      if (!await this.#fill(4)) return null;
      len = (this.#buf[2]! << 8) | this.#buf[3]!;
      at = 4;
    } else if (len === 127) {
      if (!await this.#fill(10)) return null;
      len = Number(new DataView(this.#buf.buffer, this.#buf.byteOffset).getBigUint64(2));
      at = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const maskAt = at;
    if (masked) at += 4;
    if (!await this.#fill(at + len)) return null;
    const payload = this.#buf.slice(at, at + len);
    if (masked) {
      for (let i = 0; i < len; i++) payload[i]! ^= this.#buf[maskAt + (i & 3)]!;
    }
    this.#buf = this.#buf.slice(at + len);
    return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload };
  }

  /**
   * Reads text frames as JSON until EOF, a close frame, or `stopWhen` says so. Returns the
   * messages and the close code (null when the stream ended without a close frame).
   */
  async readMessages(
    stopWhen: (all: Msg[]) => boolean = () => false,
  ): Promise<{ messages: Msg[]; closeCode: number | null; eof: boolean }> {
    const messages: Msg[] = [];
    for (;;) {
      const frame = await this.readFrame();
      if (frame === null) return { messages, closeCode: null, eof: true };
      if (frame.opcode === 8) {
        const code = frame.payload.length >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : 0;
        return { messages, closeCode: code, eof: false };
      }
      if (frame.opcode === 9) {
        await this.sendFrame(10, frame.payload).catch(() => {});
        continue;
      }
      if (frame.opcode !== 1) continue;
      messages.push(JSON.parse(dec.decode(frame.payload)));
      if (stopWhen(messages)) return { messages, closeCode: null, eof: false };
    }
  }

  /** Closes the TCP socket (idempotent). */
  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** `initialize` params for a client called `name`. */
export function initializeParams(
  name: string,
  opts: { version?: string; experimentalApi?: boolean } = {},
): Record<string, unknown> {
  return {
    clientInfo: { name, title: null, version: opts.version ?? "1.0" },
    capabilities: { experimentalApi: opts.experimentalApi ?? false },
  };
}

function b64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Signs an HS256 JWT with WebCrypto. */
export async function signJwt(
  secret: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "HS256", typ: "JWT" },
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signing = `${b64url(enc.encode(JSON.stringify(header)))}.${
    b64url(enc.encode(JSON.stringify(claims)))
  }`;
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(signing)));
  return `${signing}.${b64url(sig)}`;
}

/** Current time in whole seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Writes `text` to a fresh temp file and returns its absolute path. */
export async function tempSecretFile(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "codex-ws-secret-" });
  await Deno.writeTextFile(path, text);
  return path;
}

/** SHA-256 of `text`, as lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Sleeps. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
