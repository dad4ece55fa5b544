/**
 * JSON-RPC clients for the servers under test: newline-delimited JSON over a child's stdio, a
 * websocket client that stays cheap under heavy notification load, and a raw-TCP websocket peer
 * that can stop reading on purpose.
 *
 * @module
 */

import { type RunningServer, sleep, withTimeout } from "./_servers.ts";

/** A JSON-RPC message as seen on the wire (no "jsonrpc" member). */
export interface RpcMessage {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Minimal newline-delimited JSON client over a child's stdin/stdout. */
export class JsonLineClient {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending = new Map<number | string, (msg: RpcMessage) => void>();
  #encoder = new TextEncoder();
  #closed: Promise<void>;
  #nextId = 1;
  /** Called with every notification and server-to-client request, as it is read. */
  onMessage: ((msg: RpcMessage) => void) | undefined;

  constructor(private server: RunningServer) {
    this.#writer = server.child.stdin.getWriter();
    this.#closed = this.#readLoop();
  }

  async #readLoop(): Promise<void> {
    const decoder = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of this.server.child.stdout) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          let msg: RpcMessage;
          try {
            msg = JSON.parse(line);
          } catch {
            continue;
          }
          if (msg.id !== undefined && msg.method === undefined) {
            const resolve = this.#pending.get(msg.id);
            this.#pending.delete(msg.id);
            resolve?.(msg);
          } else {
            this.onMessage?.(msg);
          }
        }
      }
    } catch {
      // stdout torn down on kill.
    }
  }

  /** Sends a request and waits for its response (result or error), bounded by `timeoutMs`. */
  async request(method: string, params: unknown, timeoutMs = 20_000): Promise<RpcMessage> {
    const id = this.#nextId++;
    const response = new Promise<RpcMessage>((resolve, reject) => {
      this.#pending.set(id, resolve);
      this.#closed.then(() =>
        reject(
          new Error(
            `${this.server.spec.name} closed stdout before answering ${method}:\n` +
              this.server.stderrTail().slice(-1500),
          ),
        )
      );
    });
    response.catch(() => {}); // Observed below; avoids an unhandled rejection if write throws.
    await this.#writer.write(this.#encoder.encode(JSON.stringify({ id, method, params }) + "\n"));
    return withTimeout(response, timeoutMs, `${this.server.spec.name} ${method}`);
  }

  /** Sends a notification (no response expected). */
  async notify(method: string, params?: unknown): Promise<void> {
    const msg = params === undefined ? { method } : { method, params };
    await this.#writer.write(this.#encoder.encode(JSON.stringify(msg) + "\n"));
  }
}

/** The `initialize` params every bench uses (experimentalApi on, for `mock/experimentalMethod`). */
export const INITIALIZE_PARAMS = {
  clientInfo: { name: "bench", title: null, version: "1.0" },
  capabilities: { experimentalApi: true },
};

/** Throws unless `msg` is a successful `initialize` response. */
export function assertInitialized(name: string, msg: RpcMessage): void {
  const result = msg.result as { userAgent?: unknown } | undefined;
  if (msg.error || typeof result?.userAgent !== "string") {
    throw new Error(`${name}: unexpected initialize response ${JSON.stringify(msg)}`);
  }
}

/** Completes `initialize` / `initialized` on a stdio server and returns the client. */
export async function initializeClient(server: RunningServer): Promise<JsonLineClient> {
  const client = new JsonLineClient(server);
  assertInitialized(
    server.spec.name,
    await client.request("initialize", INITIALIZE_PARAMS, 30_000),
  );
  await client.notify("initialized");
  return client;
}

/** JSON-RPC error code of the servers' `Server overloaded; retry later.` answers. */
export const OVERLOADED_CODE = -32001;

/** Retry delay after an overload answer: 10, 20, 40 ... 200 ms, plus jitter to spread bursts. */
export function backoffMs(attempt: number): number {
  return Math.min(10 * 2 ** (attempt - 1), 200) + Math.random() * 10;
}

/** True when `text` is an `item/agentMessage/delta` notification (checked without parsing). */
export function isAgentDelta(text: string): boolean {
  // Both servers put `method` first in notifications; fall back to a bounded search otherwise.
  return text.startsWith('{"method":"item/agentMessage/delta"') ||
    (!text.startsWith('{"method"') && text.slice(0, 200).includes('"item/agentMessage/delta"'));
}

/** True when `text` is a `turn/completed` notification. */
export function isTurnCompleted(text: string): boolean {
  return text.startsWith('{"method":"turn/completed"') ||
    (!text.startsWith('{"method"') && text.slice(0, 200).includes('"method":"turn/completed"'));
}

/**
 * A websocket JSON-RPC client that stays cheap under heavy notification load: notifications are
 * handed to `onText` as raw text (parse only what you need); only responses are parsed.
 */
export class BenchWs {
  readonly ws: WebSocket;
  #pending = new Map<number, (msg: RpcMessage) => void>();
  #nextId = 1;
  #closed = false;
  /** Every notification or server request, raw, with its arrival time (`performance.now()`). */
  onText: ((text: string, at: number) => void) | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.onmessage = (ev) => {
      const at = performance.now();
      const text = String(ev.data);
      if (text.startsWith('{"method"')) {
        this.onText?.(text, at);
        return;
      }
      const msg = JSON.parse(text) as RpcMessage;
      if (msg.method === undefined && typeof msg.id === "number") {
        const resolve = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        resolve?.(msg);
      } else {
        this.onText?.(text, at);
      }
    };
    ws.onclose = () => {
      this.#closed = true;
      for (const resolve of this.#pending.values()) {
        resolve({ error: { code: -1, message: "websocket closed" } });
      }
      this.#pending.clear();
    };
  }

  /** Opens a socket and completes `initialize` (with `initParams`) / `initialized`. */
  static async open(
    url: string,
    timeoutMs = 20_000,
    initParams: unknown = INITIALIZE_PARAMS,
  ): Promise<BenchWs> {
    const ws = new WebSocket(url);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = (e) => reject(new Error(`websocket error: ${(e as ErrorEvent).message ?? e}`));
      }),
      timeoutMs,
      "websocket open",
    ).catch((err) => {
      ws.close();
      throw err;
    });
    const client = new BenchWs(ws);
    // `initialize` itself can be refused with -32001 while the server is busy: retry it.
    const init = await client.#requestRetrying("initialize", initParams, timeoutMs);
    assertInitialized("websocket client", init);
    ws.send(JSON.stringify({ method: "initialized" }));
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a request and waits for its response (error responses resolve too). */
  request(method: string, params: unknown, timeoutMs = 20_000): Promise<RpcMessage> {
    if (this.#closed) return Promise.reject(new Error(`websocket closed before ${method}`));
    const id = this.#nextId++;
    const reply = new Promise<RpcMessage>((resolve) => this.#pending.set(id, resolve));
    this.ws.send(JSON.stringify({ id, method, params }));
    return withTimeout(reply, timeoutMs, method);
  }

  /** Counts `-32001 Server overloaded` answers that were retried, across all clients. */
  static overloadRetries = 0;

  async #requestRetrying(method: string, params: unknown, timeoutMs: number) {
    for (let attempt = 1;; attempt++) {
      const msg = await this.request(method, params, timeoutMs);
      if (msg.error?.code !== OVERLOADED_CODE || attempt >= 200) return msg;
      BenchWs.overloadRetries++;
      await sleep(Math.min(10 * 2 ** (attempt - 1), 200) + Math.random() * 10);
    }
  }

  /** Like `request`, but retries overload answers and throws on any other error response. */
  async call(method: string, params: unknown, timeoutMs = 20_000): Promise<unknown> {
    const msg = await this.#requestRetrying(method, params, timeoutMs);
    if (msg.error) throw new Error(`${method} failed: ${JSON.stringify(msg.error)}`);
    return msg.result;
  }

  close(): void {
    try {
      this.ws.close();
    } catch {
      // Already closed.
    }
  }
}
