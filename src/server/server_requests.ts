/**
 * Server-to-client requests (approvals, dynamic tool calls, token refresh): one registry
 * allocates ids from a process-wide counter, sends the same request to every target
 * connection, lets the first reply win, and settles the waiting promise.
 *
 * @module
 */

import type { ErrorObject, RequestId } from "../jsonrpc/message.ts";
import type { OutgoingRouter } from "./outgoing.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("codex_app_server::outgoing_message");

/** How a server request ended. */
export type ServerRequestOutcome =
  | { kind: "result"; result: unknown; connectionId: number }
  | { kind: "error"; error: ErrorObject; connectionId: number }
  | { kind: "cancelled"; reason: string };

interface Pending {
  method: string;
  targets: Set<number>;
  resolve(outcome: ServerRequestOutcome): void;
}

/** Issues server requests and matches client replies to them. */
export class ServerRequests {
  readonly #outgoing: OutgoingRouter;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  constructor(outgoing: OutgoingRouter) {
    this.#outgoing = outgoing;
  }

  /** Number of requests still waiting for a reply. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Sends `method` to each connection in `targets` with one shared id and resolves with the
   * first reply. Returns the id too, so callers can cancel it.
   */
  send(
    targets: Iterable<number>,
    method: string,
    params: unknown,
  ): { id: number; outcome: Promise<ServerRequestOutcome> } {
    const id = this.#nextId++;
    const targetSet = new Set(targets);
    const text = JSON.stringify({ method, id, params });
    const outcome = new Promise<ServerRequestOutcome>((resolve) => {
      this.#pending.set(id, { method, targets: targetSet, resolve });
    });
    for (const connId of targetSet) {
      const conn = this.#outgoing.get(connId);
      if (conn?.initialized) conn.sendText(text);
    }
    return { id, outcome };
  }

  /** Handles a client's response or error. Unknown or already-settled ids are ignored. */
  settle(
    connectionId: number,
    id: RequestId,
    reply: { result: unknown } | { error: ErrorObject },
  ): boolean {
    const pending = typeof id === "number" ? this.#pending.get(id) : undefined;
    if (!pending) {
      log.warn("could not find callback for server request reply", {
        connection_id: connectionId,
        request_id: JSON.stringify(id),
      });
      return false;
    }
    this.#pending.delete(id as number);
    if ("error" in reply) {
      log.error("client answered a server request with an error", {
        method: pending.method,
        code: reply.error.code,
        message: reply.error.message,
      });
      pending.resolve({ kind: "error", error: reply.error, connectionId });
    } else {
      pending.resolve({ kind: "result", result: reply.result, connectionId });
    }
    return true;
  }

  /** Settles a request without a reply (turn ended, timeout, every target gone). */
  cancel(id: number, reason: string): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#pending.delete(id);
    pending.resolve({ kind: "cancelled", reason });
    return true;
  }

  /**
   * Forgets a closed connection as a target. A request left with no target can never be
   * answered, so it is cancelled with `reason`.
   */
  dropConnection(connectionId: number, reason: string): void {
    for (const [id, p] of this.#pending) {
      if (!p.targets.delete(connectionId)) continue;
      if (p.targets.size === 0) this.cancel(id, reason);
    }
  }

  /** Ids of pending requests that were sent to `connectionId`. */
  pendingFor(connectionId: number): number[] {
    const ids: number[] = [];
    for (const [id, p] of this.#pending) if (p.targets.has(connectionId)) ids.push(id);
    return ids;
  }
}
