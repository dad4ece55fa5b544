/**
 * The outbound side of one websocket. Deno's `WebSocket.send()` never pushes back: a peer
 * that stops reading makes `bufferedAmount` grow without limit. So we keep our own queue,
 * hand Deno only a small window at a time, and enforce a budget: a peer that falls too far
 * behind (bytes or messages queued) or makes no progress for too long is disconnected and
 * its queue released. Other connections are never slowed by it.
 *
 * @module
 */

import type { ConnectionSink } from "../server/connection.ts";

/** Limits for one websocket's outbound side. */
export interface OutboundLimits {
  /** Bytes we let Deno buffer on the socket before we hold messages back. */
  socketWindowBytes: number;
  /** Backlog at which the connection counts as saturated (its requests wait). */
  softLimitBytes: number;
  /** Backlog at which the peer is disconnected. */
  maxQueuedBytes: number;
  /** Queued messages at which the peer is disconnected. */
  maxQueuedMessages: number;
  /** How long a backlog may sit with no progress before the peer is disconnected. */
  stallTimeoutMs: number;
}

/** Defaults sized for large turn items and for many concurrent clients. */
export const DEFAULT_OUTBOUND_LIMITS: OutboundLimits = {
  socketWindowBytes: 256 * 1024,
  softLimitBytes: 1024 * 1024,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxQueuedMessages: 32 * 1024,
  stallTimeoutMs: 30_000,
};

/** The part of `WebSocket` we use, so tests can drive a fake socket. */
export interface SocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;
const BUSY_POLL_MS = 5;
const IDLE_POLL_MS = 50;

/** A budgeted outbound queue in front of one websocket. */
export class OutboundBudget implements ConnectionSink {
  readonly #socket: SocketLike;
  readonly #limits: OutboundLimits;
  readonly #onOverflow: (reason: string) => void;
  #queue: string[] = [];
  #head = 0;
  #queuedBytes = 0;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = 0;
  #lastBuffered = 0;
  #sentSinceCheck = 0;
  #stalledSince: number | null = null;
  #waiters: Array<() => void> = [];

  /** `onOverflow` is told (once) when the peer is cut off for falling behind. */
  constructor(
    socket: SocketLike,
    limits: OutboundLimits,
    onOverflow: (reason: string) => void,
  ) {
    this.#socket = socket;
    this.#limits = limits;
    this.#onOverflow = onOverflow;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes waiting in our queue plus what the socket still buffers. */
  get backlogBytes(): number {
    return this.#queuedBytes + this.#socket.bufferedAmount;
  }

  get saturated(): boolean {
    return this.backlogBytes > this.#limits.softLimitBytes;
  }

  send(text: string): boolean {
    if (this.#closed) return false;
    this.#queue.push(text);
    this.#queuedBytes += text.length;
    const queued = this.#queue.length - this.#head;
    if (
      queued > this.#limits.maxQueuedMessages ||
      this.backlogBytes > this.#limits.maxQueuedBytes
    ) {
      this.#overflow(
        `outbound queue filled (${queued} messages, ${this.backlogBytes} bytes behind)`,
      );
      return false;
    }
    this.#pump();
    return true;
  }

  whenWritable(): Promise<void> {
    if (this.#closed || !this.saturated) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#schedule(BUSY_POLL_MS);
    });
  }

  /** Marks the sink closed (the socket ended or the server closes it) and frees the queue. */
  close(_reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
  }

  #pump(): void {
    if (this.#closed) return;
    const socket = this.#socket;
    if (socket.readyState !== OPEN) {
      this.#schedule(BUSY_POLL_MS);
      return;
    }
    while (
      this.#head < this.#queue.length && socket.bufferedAmount < this.#limits.socketWindowBytes
    ) {
      const text = this.#queue[this.#head]!;
      this.#queue[this.#head] = "";
      this.#head++;
      this.#queuedBytes -= text.length;
      this.#sentSinceCheck += text.length;
      socket.send(text);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (!this.saturated) this.#wake();
    if (this.#queue.length > this.#head || this.#waiters.length > 0) {
      this.#schedule(BUSY_POLL_MS);
    } else if (socket.bufferedAmount > 0) {
      this.#schedule(IDLE_POLL_MS);
    }
  }

  #schedule(ms: number): void {
    const due = performance.now() + ms;
    if (this.#timer !== undefined) {
      if (this.#timerDue <= due) return;
      clearTimeout(this.#timer);
    }
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#checkProgress();
      this.#pump();
    }, ms);
  }

  #checkProgress(): void {
    // Progress means the socket drained something since the last look, whatever we added.
    const buffered = this.#socket.bufferedAmount;
    const drained = this.#lastBuffered + this.#sentSinceCheck - buffered;
    this.#lastBuffered = buffered;
    this.#sentSinceCheck = 0;
    if (buffered === 0 || drained > 0) {
      this.#stalledSince = null;
      return;
    }
    const now = performance.now();
    this.#stalledSince ??= now;
    if (now - this.#stalledSince >= this.#limits.stallTimeoutMs) {
      this.#overflow(`no outbound progress for ${this.#limits.stallTimeoutMs} ms`);
    }
  }

  #overflow(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
    try {
      this.#socket.close(1013, "slow consumer: outbound queue full");
    } catch {
      // already closing
    }
    this.#onOverflow(reason);
  }

  #release(): void {
    this.#queue = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
