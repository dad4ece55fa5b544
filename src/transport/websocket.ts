/**
 * The websocket transport: `Deno.serve` plus `Deno.upgradeWebSocket`, one JSON message per
 * text frame, one connection id per socket (1, 2, …). It also answers `GET /readyz` and
 * `GET /healthz`, refuses browser requests (any `Origin` header) and checks bearer auth during
 * the handshake. Each socket's outbound side has its own budget (see outbound_budget.ts).
 *
 * @module
 */

import type { AppServer } from "../server/app_server.ts";
import { sniffRequestId } from "../jsonrpc/framing.ts";
import { invalidRequest } from "../jsonrpc/errors.ts";
import { DEFAULT_OUTBOUND_LIMITS, OutboundBudget, type OutboundLimits } from "./outbound_budget.ts";
import type { WsAuthenticator } from "./ws_auth.ts";
import { DEFAULT_MAX_MESSAGE_BYTES } from "./stdio.ts";
import { getLogger } from "../log/logger.ts";
import { delay } from "../util/delay.ts";

const log = getLogger("codex_app_server::transport");

/** Options for {@linkcode serveWebSocket}. */
export interface WebSocketOptions {
  hostname: string;
  port: number;
  authenticate?: WsAuthenticator | null;
  limits?: Partial<OutboundLimits>;
  maxMessageBytes?: number;
  /** Called once the listener is bound, with the real port. */
  onListen?: (addr: { hostname: string; port: number }) => void;
}

/** A running websocket listener. */
export interface WebSocketListener {
  readonly port: number;
  /** Number of open sockets. */
  readonly connections: number;
  /** Stops accepting, closes every socket with `code`, and resolves when the server is down. */
  shutdown(code?: number, reason?: string): Promise<void>;
  /** Resolves when the listener has stopped. */
  readonly finished: Promise<void>;
}

/** Starts the websocket listener. */
export function serveWebSocket(server: AppServer, opts: WebSocketOptions): WebSocketListener {
  const limits: OutboundLimits = { ...DEFAULT_OUTBOUND_LIMITS, ...opts.limits };
  const maxBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const sockets = new Set<WebSocket>();
  let nextId = 1;
  let port = opts.port;

  const handler = async (req: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    // The peer address is unreadable once the request is upgraded.
    const peer = peerOf(info);
    if (req.headers.has("origin")) {
      log.warn("refusing request with Origin header", { origin: req.headers.get("origin") });
      return new Response(null, { status: 403 });
    }
    const url = new URL(req.url);
    const isUpgrade = req.headers.get("upgrade")?.toLowerCase() === "websocket";
    if (!isUpgrade) {
      if (req.method === "GET" && (url.pathname === "/readyz" || url.pathname === "/healthz")) {
        return new Response(null, { status: 200 });
      }
      return text(400, "expected a websocket upgrade request");
    }
    if (opts.authenticate) {
      const result = await opts.authenticate(req);
      if (!result.ok) {
        log.warn("websocket auth failed", { reason: result.reason });
        return new Response(result.reason, {
          status: result.status,
          headers: {
            "content-type": "text/plain; charset=utf-8",
            "www-authenticate": "Bearer",
          },
        });
      }
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    const id = nextId++;
    accept(socket, id, peer);
    return response;
  };

  const accept = (socket: WebSocket, id: number, peer: string) => {
    sockets.add(socket);
    const budget = new OutboundBudget(socket, limits, (reason) => {
      log.warn(`disconnecting slow connection: ConnectionId(${id})`, { reason });
      server.closeConnection(conn);
    });
    const conn = server.openConnection(id, budget);
    log.info("websocket client connected", { connection_id: id, peer });
    socket.onmessage = (event) => {
      if (budget.closed) return;
      if (typeof event.data !== "string") {
        log.warn("dropping unsupported binary websocket message", { connection_id: id });
        return;
      }
      const bytes = event.data.length * 3 <= maxBytes ? 0 : utf8Length(event.data);
      if (bytes > maxBytes) {
        const err = invalidRequest(
          `Invalid request: message of ${bytes} bytes exceeds the limit of ${maxBytes} bytes`,
          { reason: "messageTooLarge", limitBytes: maxBytes },
        );
        conn.enqueueReply({
          error: err.toErrorObject(),
          id: sniffRequestId(event.data.slice(0, 1024)),
        });
        return;
      }
      server.receive(conn, event.data);
    };
    socket.onclose = () => {
      sockets.delete(socket);
      budget.close("socket closed");
      server.closeConnection(conn);
      log.info("websocket client disconnected", { connection_id: id });
    };
    socket.onerror = (event) => {
      const message = event instanceof ErrorEvent ? event.message : "websocket error";
      log.debug("websocket error", { connection_id: id, error: message });
    };
  };

  const httpServer = Deno.serve({
    hostname: opts.hostname,
    port: opts.port,
    onListen: (addr) => {
      port = addr.port;
      opts.onListen?.({ hostname: opts.hostname, port: addr.port });
    },
    onError: (err) => {
      log.error("websocket listener error", { error: String(err) });
      return new Response(null, { status: 500 });
    },
  }, handler);

  return {
    get port() {
      return port;
    },
    get connections() {
      return sockets.size;
    },
    async shutdown(code = 1001, reason = "server shutting down") {
      for (const socket of sockets) {
        try {
          socket.close(code, reason);
        } catch {
          // already closing
        }
      }
      await Promise.race([httpServer.shutdown(), delay(1_000)]);
    },
    finished: httpServer.finished,
  };
}

/** UTF-8 length of a string, without allocating its encoding. */
function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

function peerOf(info: Deno.ServeHandlerInfo): string {
  const addr = info.remoteAddr;
  return addr.transport === "tcp" ? `${addr.hostname}:${addr.port}` : addr.transport;
}
