/**
 * The app-server core shared by every transport: it owns the connections, the router, the
 * outgoing router and the server-request registry. Transports open a connection per peer,
 * hand it text, and close it; they know nothing about methods.
 *
 * @module
 */

import { OriginatorState } from "../core/user_agent.ts";
import { Connection, type ConnectionSink, DEFAULT_INBOUND_CAPACITY } from "./connection.ts";
import type { AppServerOptions, ServerContext } from "./context.ts";
import { OutgoingRouter } from "./outgoing.ts";
import { type HandlerTable, Router } from "./router.ts";
import { ServerRequests } from "./server_requests.ts";
import { handlers as defaultHandlers } from "./handlers/mod.ts";
import { getLogger } from "../log/logger.ts";
import type { ConfigService } from "../config/config_service.ts";
import { ThreadIndex } from "../core/rollout/thread_index.ts";
import { ThreadManager } from "../core/threads/thread_manager.ts";
import { Subscriptions } from "./subscriptions.ts";
import { routeThreadEvent, subscribersCanRead, threadTurnEnded } from "./thread_events.ts";
import { ThreadReaper } from "./thread_reaper.ts";
import { askThreadClients, NO_CLIENT_LEFT } from "./client_requests.ts";

const log = getLogger("codex_app_server");

/** Construction options; everything but `codexHome` has a default. */
export interface AppServerInit {
  codexHome: string;
  options?: Partial<AppServerOptions>;
  /** Configuration loaded at startup; without it the config methods answer `-32603`. */
  config?: ConfigService | null;
  handlers?: HandlerTable;
  inboundCapacity?: number;
  env?: Record<string, string | undefined>;
}

/** One app-server process's protocol state. */
export class AppServer {
  readonly context: ServerContext;
  readonly #router: Router;
  readonly #inboundCapacity: number;

  constructor(init: AppServerInit) {
    const outgoing = new OutgoingRouter();
    const originator = new OriginatorState(init.env ?? Deno.env.toObject());
    const threads = new ThreadManager({
      codexHome: init.codexHome,
      identity: originator,
      env: init.env,
      onTurnEnded: (thread) => threadTurnEnded(this.context, thread),
    });
    this.context = {
      codexHome: init.codexHome,
      originator,
      outgoing,
      serverRequests: new ServerRequests(outgoing),
      options: {
        analyticsDefaultEnabled: false,
        configOverrides: [],
        featureToggles: [],
        ...init.options,
      },
      config: init.config ?? null,
      threadIndex: lazyThreadIndex(init.codexHome),
      threads,
      subscriptions: new Subscriptions(),
    };
    threads.setListener((event) => routeThreadEvent(this.context, event));
    threads.setClientBridge({
      ask: (threadId, ask) => askThreadClients(this.context, threadId, ask),
      pace: (threadId) => subscribersCanRead(this.context, threadId),
    });
    this.#router = new Router(this.context, init.handlers ?? defaultHandlers);
    this.#inboundCapacity = init.inboundCapacity ?? DEFAULT_INBOUND_CAPACITY;
  }

  /** Starts unloading threads left idle with no subscriber for `idleMs` (see ThreadReaper). */
  startThreadReaper(idleMs?: number): ThreadReaper {
    const reaper = new ThreadReaper(this.context, idleMs);
    reaper.start();
    return reaper;
  }

  /** Registers a new peer under `id` (0 for stdio, 1.. for websockets). */
  openConnection(id: number, sink: ConnectionSink): Connection {
    const conn = new Connection(id, sink, this.#router.process, this.#inboundCapacity);
    this.context.outgoing.add(conn);
    return conn;
  }

  /** Hands one received text message to the router. */
  receive(conn: Connection, text: string): void {
    this.#router.receive(conn, text);
  }

  /** Forgets a peer: later messages for it are dropped. */
  closeConnection(conn: Connection): void {
    this.context.outgoing.remove(conn);
    this.context.subscriptions.removeConnection(conn.id);
    this.context.serverRequests.dropConnection(conn.id, NO_CLIENT_LEFT);
    log.debug("connection closed", { connection_id: conn.id });
  }
}

/**
 * Opens the index once, shared by concurrent first callers. A failed open is forgotten so
 * the next request tries again instead of failing forever.
 */
function lazyThreadIndex(codexHome: string): () => Promise<ThreadIndex> {
  let opening: Promise<ThreadIndex> | null = null;
  return () => {
    opening ??= ThreadIndex.open(codexHome).catch((error) => {
      opening = null;
      throw error;
    });
    return opening;
  };
}
