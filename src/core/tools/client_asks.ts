/**
 * Asking the thread's clients: approvals, user input and dynamic tool calls. The thread's
 * status shows what it waits for while a request is pending, and every way a request can end
 * (an answer, an error reply, an undecodable reply, no client, timeout, interrupt) maps to
 * one outcome, so no tool ever waits without a way out.
 *
 * @module
 */

import {
  CommandExecutionRequestApprovalResponse,
  FileChangeRequestApprovalResponse,
} from "../../protocol/schema/server_requests.ts";
import type { ClientAsk, ClientReply, ToolContext } from "./tool_types.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("codex_core::approvals");

/** What a status flag the request raises. */
type WaitFlag = "approval" | "userInput" | null;

/**
 * Sends one request to the thread's clients and waits for the reply, with the thread's
 * status flag raised meanwhile (`waitingOnApproval` / `waitingOnUserInput`).
 */
export async function askClients(
  ctx: ToolContext,
  method: ClientAsk["method"],
  params: Record<string, unknown>,
  flag: WaitFlag,
): Promise<ClientReply> {
  const { thread, host } = ctx;
  const raise = (n: number) => {
    if (flag === "approval") thread.status.pendingApprovals += n;
    if (flag === "userInput") thread.status.pendingUserInputs += n;
    if (flag) host.refreshStatus(thread);
  };
  raise(1);
  try {
    return await host.ask(thread.id, {
      method,
      params,
      timeoutMs: thread.settings.approvalTimeoutMs ?? null,
      signal: ctx.signal,
    });
  } finally {
    raise(-1);
  }
}

/** How an approval ended. `reason` explains an automatic decline (timeout, disconnect). */
export type ApprovalOutcome =
  | { decision: "accept" | "acceptForSession" | "cancel" }
  | { decision: "acceptWithAmendment"; amendment: string[] }
  | { decision: "decline"; reason: string | null }
  | { decision: "failed"; reason: string };

function outcomeOf(reply: ClientReply, method: string, decode: (r: unknown) => unknown) {
  if (reply.kind === "error") {
    return { decision: "failed", reason: `the client answered with an error: ${reply.message}` };
  }
  if (reply.kind === "cancelled") return { decision: "decline", reason: reply.reason };
  const decision = decode(reply.result);
  if (decision === undefined) {
    log.warn(`failed to deserialize ${method} response; treating it as decline`);
    return { decision: "decline", reason: "the client's answer could not be read" };
  }
  return decision;
}

/** Asks to run a command; the params are the reference's, absent fields omitted. */
export async function askCommandApproval(
  ctx: ToolContext,
  params: {
    itemId: string;
    command: string;
    cwd: string;
    commandActions: unknown[];
    reason: string | null;
    proposedExecpolicyAmendment: string[] | null;
  },
): Promise<ApprovalOutcome> {
  const wire: Record<string, unknown> = {
    threadId: ctx.thread.id,
    turnId: ctx.turn.id,
    itemId: params.itemId,
  };
  if (params.reason) wire.reason = params.reason;
  wire.command = params.command;
  wire.cwd = params.cwd;
  wire.commandActions = params.commandActions;
  if (params.proposedExecpolicyAmendment) {
    wire.proposedExecpolicyAmendment = params.proposedExecpolicyAmendment;
  }
  const method = "item/commandExecution/requestApproval";
  const reply = await askClients(ctx, method, wire, "approval");
  return outcomeOf(reply, "CommandExecutionRequestApprovalResponse", (r) => {
    const parsed = CommandExecutionRequestApprovalResponse.safeParse(r);
    if (!parsed.success) return undefined;
    const d = parsed.data.decision;
    if (typeof d === "string") {
      return d === "decline" ? { decision: d, reason: null } : { decision: d };
    }
    if ("acceptWithExecpolicyAmendment" in d) {
      return {
        decision: "acceptWithAmendment",
        amendment: d.acceptWithExecpolicyAmendment.execpolicy_amendment,
      };
    }
    // A network amendment allows what was asked for, once.
    return { decision: "accept" };
  }) as ApprovalOutcome;
}

/** Asks to apply a patch (§3.4: `reason` and `grantRoot` are present, possibly null). */
export async function askPatchApproval(
  ctx: ToolContext,
  params: { itemId: string; reason: string | null; grantRoot: string | null },
): Promise<ApprovalOutcome> {
  const wire = {
    threadId: ctx.thread.id,
    turnId: ctx.turn.id,
    itemId: params.itemId,
    reason: params.reason,
    grantRoot: params.grantRoot,
  };
  const reply = await askClients(ctx, "item/fileChange/requestApproval", wire, "approval");
  return outcomeOf(reply, "FileChangeRequestApprovalResponse", (r) => {
    const parsed = FileChangeRequestApprovalResponse.safeParse(r);
    if (!parsed.success) return undefined;
    const d = parsed.data.decision;
    return d === "decline" ? { decision: d, reason: null } : { decision: d };
  }) as ApprovalOutcome;
}

/** Whether the outcome lets the action go ahead. */
export function approved(o: ApprovalOutcome): boolean {
  return o.decision === "accept" || o.decision === "acceptForSession" ||
    o.decision === "acceptWithAmendment";
}

/** What the model is told when the action did not go ahead. */
export function refusalText(o: ApprovalOutcome, what: string): string {
  switch (o.decision) {
    case "failed":
      return `${what} failed: ${o.reason}`;
    case "cancel":
      return `${what} rejected by user; the turn was cancelled`;
    case "decline":
      return o.reason ? `${what} declined: ${o.reason}` : `${what} rejected by user`;
    default:
      return what;
  }
}
