/**
 * Which connections are subscribed to which loaded threads. Closing a connection removes
 * only its own subscriptions.
 *
 * A subscription can start "held": a client attaching to a running thread gets a snapshot in
 * its response, and events emitted before that response is on the wire must reach it after
 * the response, not before, or the client would apply them twice. Held events are queued
 * per connection and handed back on release.
 *
 * @module
 */

/** A notification kept back for a held subscriber. */
export interface HeldNotification {
  method: string;
  params: unknown;
}

/** Thread id → subscribed connection ids. */
export class Subscriptions {
  readonly #byThread = new Map<string, Set<number>>();
  readonly #held = new Map<string, HeldNotification[]>();

  subscribe(threadId: string, connectionId: number): void {
    let set = this.#byThread.get(threadId);
    if (!set) this.#byThread.set(threadId, set = new Set());
    set.add(connectionId);
  }

  /** Subscribes and holds the thread's events for this connection until `release`. */
  subscribeHeld(threadId: string, connectionId: number): void {
    this.subscribe(threadId, connectionId);
    this.#held.set(heldKey(threadId, connectionId), []);
  }

  /** Ends a hold; returns what was kept back, in order. */
  release(threadId: string, connectionId: number): HeldNotification[] {
    const key = heldKey(threadId, connectionId);
    const held = this.#held.get(key) ?? [];
    this.#held.delete(key);
    return held;
  }

  /** Queues a notification if the connection is held on the thread; false when it is not. */
  hold(threadId: string, connectionId: number, note: HeldNotification): boolean {
    const held = this.#held.get(heldKey(threadId, connectionId));
    if (!held) return false;
    held.push(note);
    return true;
  }

  /** Removes one subscription; false when the connection was not subscribed. */
  unsubscribe(threadId: string, connectionId: number): boolean {
    this.#held.delete(heldKey(threadId, connectionId));
    const set = this.#byThread.get(threadId);
    if (!set?.delete(connectionId)) return false;
    if (set.size === 0) this.#byThread.delete(threadId);
    return true;
  }

  /** Subscribers of a thread (a copy). */
  subscribers(threadId: string): number[] {
    return [...this.#byThread.get(threadId) ?? []];
  }

  /** Forgets every subscription to an unloaded thread. */
  removeThread(threadId: string): void {
    for (const id of this.#byThread.get(threadId) ?? []) this.#held.delete(heldKey(threadId, id));
    this.#byThread.delete(threadId);
  }

  /** Forgets every subscription of a closed connection. */
  removeConnection(connectionId: number): void {
    for (const [threadId, set] of this.#byThread) {
      set.delete(connectionId);
      this.#held.delete(heldKey(threadId, connectionId));
      if (set.size === 0) this.#byThread.delete(threadId);
    }
  }
}

function heldKey(threadId: string, connectionId: number): string {
  return `${connectionId}:${threadId}`;
}
