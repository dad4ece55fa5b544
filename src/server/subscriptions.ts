/**
 * Which connections are subscribed to which loaded threads. Closing a connection removes
 * only its own subscriptions.
 *
 * @module
 */

/** Thread id → subscribed connection ids. */
export class Subscriptions {
  readonly #byThread = new Map<string, Set<number>>();

  subscribe(threadId: string, connectionId: number): void {
    let set = this.#byThread.get(threadId);
    if (!set) this.#byThread.set(threadId, set = new Set());
    set.add(connectionId);
  }

  /** Subscribers of a thread (a copy). */
  subscribers(threadId: string): number[] {
    return [...this.#byThread.get(threadId) ?? []];
  }

  /** Forgets every subscription of a closed connection. */
  removeConnection(connectionId: number): void {
    for (const [threadId, set] of this.#byThread) {
      set.delete(connectionId);
      if (set.size === 0) this.#byThread.delete(threadId);
    }
  }
}
