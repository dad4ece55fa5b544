/**
 * One client connection as the server sees it: handshake state, capabilities, and the
 * bounded inbound queue that feeds its requests to the router one at a time, in order.
 * Transports own the bytes; a connection owns the per-client protocol state.
 *
 * @module
 */

import type { OutgoingMessage, RequestMessage } from "../jsonrpc/message.ts";
import { overloaded, type RpcError } from "../jsonrpc/errors.ts";

/** What a transport provides for one peer. */
export interface ConnectionSink {
  /** Queues one serialized message. Returns false when the peer is gone. */
  send(text: string): boolean;
  /** True while the peer is behind on reading; its requests wait until it catches up. */
  readonly saturated: boolean;
  /** Resolves once the peer is no longer saturated, or is closed. */
  whenWritable(): Promise<void>;
  /** Ends the connection from the server side. */
  close(reason: string): void;
  /** True once the connection has ended. */
  readonly closed: boolean;
}

/** The handshake state of a connection. */
export type ConnectionState = "new" | "initialized";

/** A queued request, or a reply to unreadable input that must keep its place in line. */
type InboundItem = RequestMessage | { reply: OutgoingMessage };

/** Processes one request; provided by the router. */
export type RequestProcessor = (conn: Connection, request: RequestMessage) => Promise<void>;

/** Default bound on requests waiting for their turn, per connection (the reference's 128). */
export const DEFAULT_INBOUND_CAPACITY = 128;

/** Per-client state plus its ordered request pump. */
export class Connection {
  readonly id: number;
  readonly sink: ConnectionSink;
  state: ConnectionState = "new";
  experimentalApi = false;
  optOutNotifications: ReadonlySet<string> = new Set();
  clientName: string | null = null;

  readonly #capacity: number;
  readonly #process: RequestProcessor;
  readonly #queue: InboundItem[] = [];
  #head = 0;
  #pumping = false;
  #avgMs = 1;
  #spaceWaiters: Array<() => void> = [];
  #pumpDone: Promise<void> = Promise.resolve();

  constructor(id: number, sink: ConnectionSink, process: RequestProcessor, capacity: number) {
    this.id = id;
    this.sink = sink;
    this.#process = process;
    this.#capacity = capacity;
  }

  /** Whether the connection has completed `initialize`. */
  get initialized(): boolean {
    return this.state === "initialized";
  }

  /** Requests waiting to be processed. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** True when no more requests can wait; stdio stops reading, websockets get `-32001`. */
  get full(): boolean {
    return this.pending >= this.#capacity;
  }

  /**
   * Queues a request for in-order processing, or refuses it with the overload error when
   * the queue is full. Returns the error it sent, if any.
   */
  enqueue(request: RequestMessage): RpcError | null {
    if (this.full) {
      const retryAfterMs = Math.min(5_000, Math.max(10, Math.ceil(this.#avgMs * this.pending)));
      const err = overloaded(retryAfterMs);
      this.send({ id: request.id, error: err.toErrorObject() });
      return err;
    }
    this.#push(request);
    return null;
  }

  /**
   * Queues a reply to input that never became a request (unparseable JSON, an invalid
   * message), so it reaches the client in arrival order relative to real requests.
   */
  enqueueReply(message: OutgoingMessage): void {
    this.#push({ reply: message });
  }

  #push(item: InboundItem): void {
    this.#queue.push(item);
    if (!this.#pumping) this.#pumpDone = this.#pump();
  }

  /** Serializes and sends; returns false when the peer is gone. */
  send(message: OutgoingMessage): boolean {
    return this.sink.send(JSON.stringify(message));
  }

  /** Sends an already-serialized message (broadcasts serialize once). */
  sendText(text: string): boolean {
    return this.sink.send(text);
  }

  /** True if this connection should receive a notification with this method. */
  wantsNotification(method: string): boolean {
    return this.initialized && !this.optOutNotifications.has(method);
  }

  /** Resolves once the queue is below capacity and the peer is reading again. */
  async whenReady(): Promise<void> {
    while (!this.sink.closed && (this.full || this.sink.saturated)) {
      if (this.sink.saturated) await this.sink.whenWritable();
      else await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
    }
  }

  /** Resolves when every queued request has been processed. */
  async whenIdle(): Promise<void> {
    while (this.#pumping) await this.#pumpDone;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.pending > 0 && !this.sink.closed) {
        if (this.sink.saturated) {
          await this.sink.whenWritable();
          continue;
        }
        const item = this.#queue[this.#head]!;
        this.#head++;
        this.#wakeSpaceWaiters();
        if ("reply" in item) {
          this.send(item.reply);
          continue;
        }
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue.splice(0, this.#head);
          this.#head = 0;
        }
        const started = performance.now();
        await this.#process(this, item);
        this.#avgMs = this.#avgMs * 0.9 + (performance.now() - started) * 0.1;
      }
    } finally {
      this.#pumping = false;
      if (this.sink.closed) {
        this.#queue.length = 0;
        this.#head = 0;
        this.#wakeSpaceWaiters();
      }
    }
  }

  #wakeSpaceWaiters(): void {
    if (this.#spaceWaiters.length === 0) return;
    const waiters = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const wake of waiters) wake();
  }
}
