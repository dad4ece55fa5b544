/**
 * Minimal protocol clients for black-box tests: one over a server's stdio, one over a real
 * websocket. Both keep every message received, match responses by id, and wait for
 * notifications with a timeout, so a test fails with a clear message instead of hanging.
 *
 * @module
 */

import type { ServerProcess } from "./server.ts";

/** Any message the server sent. */
// deno-lint-ignore no-explicit-any
export type Msg = Record<string, any>;

/** Shared bookkeeping of received messages. */
abstract class BaseClient {
  readonly received: Msg[] = [];
  readonly rawReceived: string[] = [];
  #waiters: Array<{ match: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  #nextId = 1000;
  #closedReason: string | null = null;
  #closeWaiters: Array<() => void> = [];

  /** Sends one raw text message (a line or a frame). */
  abstract sendRaw(text: string): Promise<void>;

  /** Sends a JSON value. */
  send(value: unknown): Promise<void> {
    return this.sendRaw(JSON.stringify(value));
  }

  /** Sends a request and waits for the response with the same id. */
  async request(
    method: string,
    params?: unknown,
    id: string | number = this.#nextId++,
  ): Promise<Msg> {
    const msg: Msg = { id, method };
    if (params !== undefined) msg.params = params;
    const reply = this.waitFor(
      (m) => m.id === id && !("method" in m),
      `response to ${method} #${id}`,
    );
    await this.send(msg);
    return await reply;
  }

  /** Sends `initialize` and returns the response. */
  initialize(opts: {
    name?: string;
    version?: string;
    experimentalApi?: boolean;
    optOutNotificationMethods?: string[];
  } = {}): Promise<Msg> {
    return this.request("initialize", {
      clientInfo: { name: opts.name ?? "test-client", title: null, version: opts.version ?? "1.0" },
      capabilities: {
        experimentalApi: opts.experimentalApi ?? false,
        optOutNotificationMethods: opts.optOutNotificationMethods ?? null,
      },
    });
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor(match: (m: Msg) => boolean, what = "message", timeoutMs = 10_000): Promise<Msg> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.received)}`),
        );
      }, timeoutMs);
      const done = (m: Msg) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push({ match, resolve: done });
    });
  }

  /** Resolves when the transport reports the connection closed. */
  waitClosed(timeoutMs = 10_000): Promise<string> {
    if (this.#closedReason !== null) return Promise.resolve(this.#closedReason);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("connection did not close")), timeoutMs);
      this.#closeWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.#closedReason ?? "");
      });
    });
  }

  get closed(): boolean {
    return this.#closedReason !== null;
  }

  protected deliver(text: string): void {
    this.rawReceived.push(text);
    let msg: Msg;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = { unparseable: text };
    }
    this.received.push(msg);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      if (w.match(msg)) w.resolve(msg);
      else this.#waiters.push(w);
    }
  }

  protected markClosed(reason: string): void {
    if (this.#closedReason !== null) return;
    this.#closedReason = reason;
    for (const w of this.#closeWaiters) w();
    this.#closeWaiters = [];
  }
}

/** Talks to a spawned server over its stdin/stdout. */
export class StdioClient extends BaseClient {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  readonly done: Promise<void>;

  constructor(server: ServerProcess) {
    super();
    this.#writer = server.child.stdin.getWriter();
    this.done = this.#read(server.child.stdout);
  }

  override async sendRaw(text: string): Promise<void> {
    await this.#writer.write(this.#encoder.encode(text + "\n"));
  }

  /** Writes raw bytes (no newline added). */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    await this.#writer.write(bytes);
  }

  /** Closes stdin (EOF for the server). */
  async closeInput(): Promise<void> {
    await this.#writer.close().catch(() => {});
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of stream) {
        buf += dec.decode(chunk, { stream: true });
        let nl;
        while ((nl = buf.indexOf("\n")) !== -1) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line !== "") this.deliver(line);
        }
      }
    } catch {
      // stream cancelled
    }
    this.markClosed("eof");
  }
}

/** Talks to a server over a real websocket. */
export class WsClient extends BaseClient {
  readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    super();
    this.socket = socket;
    socket.onmessage = (e) => {
      if (typeof e.data === "string") this.deliver(e.data);
    };
    socket.onclose = (e) => this.markClosed(`close ${e.code} ${e.reason}`);
  }

  /** Opens a websocket to `ws://127.0.0.1:PORT/` (optionally with handshake headers). */
  static connect(port: number, headers?: Record<string, string>): Promise<WsClient> {
    // Deno accepts `headers` on the client constructor (non-standard).
    const socket = new WebSocket(
      `ws://127.0.0.1:${port}/`,
      headers ? ({ headers } as unknown as string[]) : undefined,
    );
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new WsClient(socket));
      socket.onerror = (e) =>
        reject(new Error(`websocket failed: ${(e as ErrorEvent).message ?? e.type}`));
    });
  }

  override sendRaw(text: string): Promise<void> {
    this.socket.send(text);
    return Promise.resolve();
  }

  /** Closes the socket and waits for the close to complete. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.socket.close();
      await this.waitClosed(5_000).catch(() => {});
    }
  }
}
