/**
 * The request router: decodes what a transport received, applies the handshake rules,
 * experimental gates and params validation, calls the handler for the method, and sends
 * exactly one reply to the connection that asked. Replies to server requests go to the
 * server-request registry. No handler ever writes to a transport directly.
 *
 * @module
 */

import {
  classifyMessage,
  isRequestId,
  type RequestId,
  type RequestMessage,
} from "../jsonrpc/message.ts";
import { numericIdFromSource, topLevelMemberSource } from "../jsonrpc/id_source.ts";
import {
  alreadyInitialized,
  experimentalRequired,
  invalidRequest,
  methodNotFound,
  notImplemented,
  notInitialized,
  parseError,
  toRpcError,
} from "../jsonrpc/errors.ts";
import {
  type ClientRequestMethod,
  clientRequests,
  experimentalUse,
  type ParamsOf,
  type ResultOf,
} from "../protocol/methods.ts";
import type { Connection } from "./connection.ts";
import type { RequestContext, ServerContext } from "./context.ts";
import { paramsError } from "./params_error.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("codex_app_server::message_processor");

/** A handler for one method: validated params in, result out (or a thrown `RpcError`). */
export type Handler<M extends ClientRequestMethod> = (
  ctx: RequestContext,
  params: ParamsOf<M>,
) => ResultOf<M> | Promise<ResultOf<M>>;

/** The methods this build implements; the rest answer "not implemented". */
export type HandlerTable = { [M in ClientRequestMethod]?: Handler<M> };

/** Routes decoded messages of every connection. */
export class Router {
  readonly #server: ServerContext;
  readonly #handlers: HandlerTable;

  constructor(server: ServerContext, handlers: HandlerTable) {
    this.#server = server;
    this.#handlers = handlers;
  }

  /** Accepts one text message (a stdio line or a websocket text frame). */
  receive(conn: Connection, text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      log.error(`Failed to deserialize JSONRPCMessage: ${detail}`, { connection_id: conn.id });
      conn.enqueueReply({ error: parseError(detail).toErrorObject(), id: null });
      return;
    }
    this.receiveValue(conn, withExactId(value, text));
  }

  /** Accepts one decoded JSON value. */
  receiveValue(conn: Connection, value: unknown): void {
    const classified = classifyMessage(value);
    switch (classified.kind) {
      case "request":
        conn.enqueue(classified.message);
        return;
      case "notification":
        log.info("<- notification", {
          connection_id: conn.id,
          method: classified.message.method,
        });
        return;
      case "response":
        this.#server.serverRequests.settle(conn.id, classified.message.id, {
          result: classified.message.result,
        });
        return;
      case "error":
        this.#server.serverRequests.settle(conn.id, classified.message.id, {
          error: classified.message.error,
        });
        return;
      case "invalid":
        log.error(`Failed to deserialize JSONRPCMessage: ${classified.reason}`, {
          connection_id: conn.id,
        });
        conn.enqueueReply({
          error: invalidRequest(`Invalid request: ${classified.reason}`).toErrorObject(),
          id: requestIdOf(value),
        });
        return;
    }
  }

  /** Runs one request to completion and sends its reply. Never throws. */
  process = async (conn: Connection, request: RequestMessage): Promise<void> => {
    if (log.enabled("trace")) {
      log.trace(`app-server request: ${request.method}`, {
        connection_id: conn.id,
        request_id: JSON.stringify(request.id),
      });
    }
    try {
      const result = await this.#dispatch(conn, request);
      conn.send({ id: request.id, result });
      if (request.method === "initialize") this.#afterInitialize(conn);
    } catch (err) {
      const rpc = toRpcError(err);
      if (rpc.code === -32603) log.error(`request failed: ${request.method}: ${rpc.message}`);
      conn.send({ error: rpc.toErrorObject(), id: request.id });
    }
  };

  /**
   * Connection-scoped notifications owed right after the `initialize` response (the
   * reference sends config warnings then, to every connection that initializes).
   */
  #afterInitialize(conn: Connection): void {
    for (const warning of this.#server.config?.startupWarnings() ?? []) {
      this.#server.outgoing.notify(conn, "configWarning", warning);
    }
  }

  async #dispatch(conn: Connection, request: RequestMessage): Promise<unknown> {
    const { method } = request;
    if (!Object.hasOwn(clientRequests, method)) throw methodNotFound(method);
    const m = method as ClientRequestMethod;
    const spec = clientRequests[m];
    if (m === "initialize") {
      if (conn.initialized) throw alreadyInitialized();
    } else if (!conn.initialized) {
      throw notInitialized();
    }
    let params: unknown = undefined;
    if (spec.params !== null) {
      const parsed = spec.params.safeParse(request.params ?? {}, { reportInput: true });
      if (!parsed.success) throw paramsError(parsed.error);
      params = parsed.data;
    }
    if (!conn.experimentalApi) {
      const descriptor = experimentalUse(m, params ?? {});
      if (descriptor !== null) throw experimentalRequired(descriptor);
    }
    const handler = this.#handlers[m] as Handler<typeof m> | undefined;
    if (!handler) throw notImplemented(m);
    const ctx: RequestContext = { server: this.#server, connection: conn, requestId: request.id };
    return await handler(ctx, params as ParamsOf<typeof m>);
  }
}

function requestIdOf(value: unknown): RequestId | null {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const id = (value as Record<string, unknown>).id;
    if (isRequestId(id)) return id;
  }
  return null;
}

/**
 * Replaces a numeric top-level `id` with what its source text says: exact digits for
 * 64-bit ids beyond 2^53, and no id at all for `1.0`, `1e2` or out-of-range numbers.
 */
function withExactId(value: unknown, text: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const obj = value as Record<string, unknown>;
  if (typeof obj.id !== "number") return value;
  const source = topLevelMemberSource(text, "id");
  if (source === null) return value;
  const id = numericIdFromSource(source);
  if (id === undefined) delete obj.id;
  else obj.id = id;
  return value;
}
