/**
 * `initialize`: the per-connection handshake. It validates the client name (it becomes an
 * HTTP header), records capabilities, names the process-wide originator on first use, and
 * reports where the server keeps its files and what platform it runs on.
 *
 * @module
 */

import { invalidRequest } from "../../jsonrpc/errors.ts";
import { isValidHeaderValue } from "../../core/user_agent.ts";
import type { Handler } from "../router.ts";

/** Handles `initialize`; the router has already refused a second one. */
export const initialize: Handler<"initialize"> = (ctx, params) => {
  const { clientInfo, capabilities } = params;
  if (!isValidHeaderValue(clientInfo.name)) {
    throw invalidRequest(
      `Invalid clientInfo.name: '${clientInfo.name}'. Must be a valid HTTP header value.`,
    );
  }
  const conn = ctx.connection;
  conn.experimentalApi = capabilities?.experimentalApi === true;
  conn.optOutNotifications = new Set(capabilities?.optOutNotificationMethods ?? []);
  conn.clientName = clientInfo.name;
  ctx.server.originator.registerClient(clientInfo.name, clientInfo.version);
  conn.state = "initialized";
  return {
    userAgent: ctx.server.originator.userAgent(`${clientInfo.name}; ${clientInfo.version}`),
    codexHome: ctx.server.codexHome,
    platformFamily: Deno.build.os === "windows" ? "windows" : "unix",
    platformOs: Deno.build.os === "darwin" ? "macos" : Deno.build.os,
  };
};
