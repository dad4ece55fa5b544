/**
 * An in-memory {@linkcode ConnectionSink} for unit tests: records what was sent and lets a
 * test flip the saturated flag.
 *
 * @module
 */

import type { ConnectionSink } from "./connection.ts";

/** Records sent messages; `saturated` is settable. */
export class MemorySink implements ConnectionSink {
  readonly sent: string[] = [];
  closed = false;
  #saturated = false;
  #waiters: Array<() => void> = [];

  get saturated(): boolean {
    return this.#saturated;
  }

  set saturated(value: boolean) {
    this.#saturated = value;
    if (!value) {
      for (const w of this.#waiters) w();
      this.#waiters = [];
    }
  }

  send(text: string): boolean {
    if (this.closed) return false;
    this.sent.push(text);
    return true;
  }

  whenWritable(): Promise<void> {
    if (!this.#saturated) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
  }

  /** Parsed messages. */
  get messages(): Array<Record<string, unknown>> {
    return this.sent.map((s) => JSON.parse(s));
  }
}
