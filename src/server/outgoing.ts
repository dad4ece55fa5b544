/**
 * The one path for everything the server says unprompted: notifications to one connection,
 * to every initialized connection, or to a chosen set (a thread's subscribers). It applies
 * each connection's opt-outs and serializes a message once however many peers get it.
 * Messages for connections that are gone are dropped.
 *
 * @module
 */

import type { Connection } from "./connection.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("codex_app_server::outgoing_message");

/** Routes server notifications to connections. */
export class OutgoingRouter {
  readonly #connections = new Map<number, Connection>();

  /** Registers a live connection. */
  add(conn: Connection): void {
    this.#connections.set(conn.id, conn);
  }

  /** Forgets a connection; later messages for it are dropped. */
  remove(conn: Connection): void {
    this.#connections.delete(conn.id);
  }

  /** A live connection by id. */
  get(id: number): Connection | undefined {
    return this.#connections.get(id);
  }

  /** Ids of live connections. */
  ids(): number[] {
    return [...this.#connections.keys()];
  }

  /** Ids of live connections that opted into the experimental API. */
  experimentalIds(): number[] {
    return [...this.#connections.values()].filter((c) => c.experimentalApi).map((c) => c.id);
  }

  /** Number of live connections. */
  get size(): number {
    return this.#connections.size;
  }

  /** Sends a notification to one connection, honouring its opt-outs. */
  notify(conn: Connection, method: string, params?: unknown): void {
    if (!conn.wantsNotification(method)) return;
    conn.sendText(serializeNotification(method, params));
  }

  /** Sends a notification to every initialized connection. */
  broadcast(method: string, params?: unknown): void {
    this.notifyMany(this.#connections.keys(), method, params);
  }

  /** Sends a notification to the given connections (e.g. a thread's subscribers). */
  notifyMany(ids: Iterable<number>, method: string, params?: unknown): void {
    let text: string | null = null;
    for (const id of ids) {
      const conn = this.#connections.get(id);
      if (!conn) {
        log.debug("dropping message for disconnected connection", { connection_id: id, method });
        continue;
      }
      if (!conn.wantsNotification(method)) continue;
      text ??= serializeNotification(method, params);
      conn.sendText(text);
    }
  }
}

function serializeNotification(method: string, params: unknown): string {
  return JSON.stringify(params === undefined ? { method } : { method, params });
}
