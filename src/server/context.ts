/**
 * What request handlers can reach: process-wide state and the outgoing paths. Handlers get
 * this instead of globals so tests can build a server in-process.
 *
 * @module
 */

import type { OriginatorState } from "../core/user_agent.ts";
import type { ConfigService } from "../config/config_service.ts";
import type { Connection } from "./connection.ts";
import type { OutgoingRouter } from "./outgoing.ts";
import type { ServerRequests } from "./server_requests.ts";
import type { RequestId } from "../jsonrpc/message.ts";
import type { ThreadIndex } from "../core/rollout/thread_index.ts";
import type { ThreadManager } from "../core/threads/thread_manager.ts";
import type { Subscriptions } from "./subscriptions.ts";

/** Settings fixed at startup from the command line. */
export interface AppServerOptions {
  /** `--analytics-default-enabled`: the default of `analytics.enabled` when config is silent. */
  analyticsDefaultEnabled: boolean;
  /** `-c key=value` overrides, in order. */
  configOverrides: readonly string[];
  /** `--enable F` / `--disable F`, in order, as `features.F = true|false`. */
  featureToggles: ReadonlyArray<{ feature: string; enabled: boolean }>;
}

/** Process-wide state shared by every connection. */
export interface ServerContext {
  readonly codexHome: string;
  readonly originator: OriginatorState;
  readonly outgoing: OutgoingRouter;
  readonly serverRequests: ServerRequests;
  readonly options: AppServerOptions;
  /** Layered configuration loaded at startup; null only in servers built without it (tests). */
  readonly config: ConfigService | null;
  /**
   * The thread index of `codexHome`, opened (and reconciled with the rollouts) on first use,
   * so a server that never touches stored threads never pays for the scan.
   */
  readonly threadIndex: () => Promise<ThreadIndex>;
  /** Loaded threads and their turns. */
  readonly threads: ThreadManager;
  /** Which connections follow which loaded threads. */
  readonly subscriptions: Subscriptions;
}

/** The context of one request. */
export interface RequestContext {
  readonly server: ServerContext;
  readonly connection: Connection;
  readonly requestId: RequestId;
}
