/**
 * How the core asks a thread's clients something (approvals, user input, dynamic tool
 * calls): one server request, same id, to every subscribed connection; the first reply wins.
 * Beyond the reference, a request always ends: when no subscriber is left to answer, when
 * `approval_timeout_secs` passes, or when the turn is interrupted it is settled without a
 * reply, and experimental clients hear `serverRequest/resolved` whichever way it ended.
 *
 * @module
 */

import type { ClientAsk, ClientReply } from "../core/tools/tool_types.ts";
import type { ServerContext } from "./context.ts";
import { getLogger } from "../log/logger.ts";
import { legacyRequestNote } from "./legacy_events.ts";

const log = getLogger("codex_app_server::client_requests");

/** Why a request with no connection left to answer it was settled. */
export const NO_CLIENT_LEFT = "no subscribed client is left to answer";

/** Sends `ask` to the subscribers of `threadId` and waits for how it ends. */
export async function askThreadClients(
  server: ServerContext,
  threadId: string,
  ask: ClientAsk,
): Promise<ClientReply> {
  const targets = server.subscriptions.subscribers(threadId).filter((id) =>
    server.outgoing.get(id)?.initialized
  );
  if (targets.length === 0) return { kind: "cancelled", reason: NO_CLIENT_LEFT };
  if (ask.signal.aborted) return { kind: "cancelled", reason: "the turn was interrupted" };
  const requests = server.serverRequests;
  // 0.105 clients see the core event just before the request, as with notifications.
  const running = server.threads.get(threadId)?.active?.running;
  const item = running?.get(String(ask.params.itemId ?? ""));
  const legacy = legacyRequestNote(threadId, ask.method, ask.params, item);
  if (legacy) server.outgoing.notifyMany(targets, legacy.method, legacy.params);
  const { id, outcome } = requests.send(targets, ask.method, ask.params);
  const onAbort = () => requests.cancel(id, "the turn was interrupted");
  ask.signal.addEventListener("abort", onAbort, { once: true });
  const timer = ask.timeoutMs === null ? undefined : setTimeout(() => {
    const secs = Math.round((ask.timeoutMs ?? 0) / 1000);
    requests.cancel(id, `no answer within ${secs} s (approval_timeout_secs)`);
  }, ask.timeoutMs);
  const result = await outcome;
  clearTimeout(timer);
  ask.signal.removeEventListener("abort", onAbort);
  // Closed connections are no longer listed, so only those still open hear it.
  const experimental = new Set(server.outgoing.experimentalIds());
  server.outgoing.notifyMany(
    targets.filter((c) => experimental.has(c)),
    "serverRequest/resolved",
    { threadId, requestId: id },
  );
  switch (result.kind) {
    case "result":
      return { kind: "result", result: result.result };
    case "error":
      return { kind: "error", message: result.error.message };
    case "cancelled":
      log.info("server request settled without a reply", {
        method: ask.method,
        request_id: id,
        reason: result.reason,
      });
      return { kind: "cancelled", reason: result.reason };
  }
}
