/**
 * One command the model asked to run, as a `commandExecution` item: approval when the
 * policies want it, the run (sandboxed or not), streamed output, the sandbox-denial retry of
 * `on-failure`, and exactly one `item/completed`. Shared by `shell_command`, `shell` and
 * `exec_command`, which differ only in how they wait for the process.
 *
 * @module
 */

import { completeItem, startItem } from "./tool_items.ts";
import type { SandboxPolicy } from "../../protocol/schema/sandbox.ts";
import { buildExecEnv, DEFAULT_SHELL_ENVIRONMENT_POLICY } from "../exec/exec_env.ts";
import { probeBwrap, type SandboxSpec, sandboxSpecOf } from "../exec/sandbox.ts";
import { parseCommandActions } from "./command_actions.ts";
import { shellJoin, shellScriptOf, shellSplit } from "./shell_words.ts";
import { planExec, retriesOutsideSandbox } from "./approval_policy.ts";
import { type ApprovalOutcome, approved, askCommandApproval, refusalText } from "./client_asks.ts";
import type { ToolContext } from "./tool_types.ts";

/** A command to run for one tool call. */
export interface CommandRequest {
  itemId: string;
  argv: string[];
  cwd: string;
  /** `sandbox_permissions: "require_escalated"`. */
  escalated: boolean;
  /** The model's `justification`, shown as the approval's reason. */
  justification: string | null;
}

/** How a prepared command may run: where, and with what. */
export interface RunPlan {
  sandbox: SandboxSpec;
  bwrapPath: string | undefined;
  env: Record<string, string>;
}

/** The result of `prepareCommand`: go ahead with a plan, or stop with the model's output. */
export type Prepared =
  | { ok: true; plan: RunPlan; item: Record<string, unknown>; userApproved: boolean }
  | { ok: false; output: string };

/** The item as first shown: in progress, nothing known about the run yet. */
function startedItem(req: CommandRequest, command: string): Record<string, unknown> {
  return {
    type: "commandExecution",
    id: req.itemId,
    command,
    cwd: req.cwd,
    processId: null,
    status: "inProgress",
    commandActions: parseCommandActions(req.argv),
    aggregatedOutput: null,
    exitCode: null,
    durationMs: null,
  };
}

/** The key under which a session approval of this command is remembered. */
function approvalKey(argv: string[]): string {
  return JSON.stringify(argv);
}

/** Words of the command for an exec-policy amendment: the script's words when it is simple. */
function amendmentOf(argv: string[]): string[] | null {
  const script = shellScriptOf(argv);
  if (script === null) return argv;
  const words = shellSplit(script);
  return words && words.length > 0 && words.every((w) => !/[;&|<>`$()]/.test(w)) ? words : null;
}

function prefixApproved(ctx: ToolContext, argv: string[]): boolean {
  const words = amendmentOf(argv);
  if (!words) return false;
  return ctx.thread.approvals.prefixes.some((p) =>
    p.length <= words.length && p.every((w, i) => words[i] === w)
  );
}

/** Remembers a session-wide approval. */
function remember(ctx: ToolContext, argv: string[], outcome: ApprovalOutcome): void {
  if (outcome.decision === "acceptForSession") ctx.thread.approvals.commands.add(approvalKey(argv));
  if (outcome.decision === "acceptWithAmendment") {
    ctx.thread.approvals.prefixes.push(outcome.amendment);
  }
}

/** The environment a command runs with, and what it is told about the sandbox. */
function commandEnv(ctx: ToolContext, sandbox: SandboxSpec): Record<string, string> {
  const policy = ctx.thread.settings.shellEnvironmentPolicy ?? DEFAULT_SHELL_ENVIRONMENT_POLICY;
  const env = buildExecEnv(policy, Deno.env.toObject());
  if (sandbox.kind !== "none" && !sandbox.network) env.CODEX_SANDBOX_NETWORK_DISABLED = "1";
  return env;
}

/** A run plan for `sandboxed`, or the reason sandboxed runs are refused here. */
export async function runPlanFor(
  ctx: ToolContext,
  cwd: string,
  sandboxed: boolean,
): Promise<RunPlan | { refused: string }> {
  if (!sandboxed) {
    const none: SandboxSpec = { kind: "none" };
    return { sandbox: none, bwrapPath: undefined, env: commandEnv(ctx, none) };
  }
  const policy = ctx.thread.settings.sandboxPolicy as SandboxPolicy;
  const sandbox = sandboxSpecOf(policy, {
    cwd,
    codexHome: ctx.host.codexHome,
    env: Deno.env.toObject(),
  });
  if (sandbox.kind === "none") {
    return { sandbox, bwrapPath: undefined, env: commandEnv(ctx, sandbox) };
  }
  const probe = await probeBwrap();
  if (!probe.ok) return { refused: probe.reason };
  return { sandbox, bwrapPath: probe.path, env: commandEnv(ctx, sandbox) };
}

/**
 * Shows the item, asks for approval when the policies want it, and returns how to run the
 * command, or the output for the model when it must not run (declined, forbidden, no
 * sandbox). A stopped command's item is completed here.
 */
export async function prepareCommand(ctx: ToolContext, req: CommandRequest): Promise<Prepared> {
  const command = shellJoin(req.argv);
  const item = startedItem(req, command);
  const { thread } = ctx;
  startItem(ctx, item);
  const plan = planExec({
    approvalPolicy: thread.settings.approvalPolicy,
    sandboxPolicy: thread.settings.sandboxPolicy as SandboxPolicy,
    argv: req.argv,
    escalated: req.escalated,
    approved: thread.approvals.commands.has(approvalKey(req.argv)) || prefixApproved(ctx, req.argv),
  });
  const stop = (status: "declined" | "failed", output: string): Prepared => {
    completeItem(ctx, item, {
      status,
      aggregatedOutput: output,
      exitCode: null,
      durationMs: 0,
    });
    return { ok: false, output };
  };
  if (plan.kind === "forbid") return stop("declined", `exec command rejected: ${plan.reason}`);
  let userApproved = plan.kind === "run" && thread.approvals.commands.has(approvalKey(req.argv));
  if (plan.kind === "ask") {
    const outcome = await askCommandApproval(ctx, {
      itemId: req.itemId,
      command,
      cwd: req.cwd,
      commandActions: item.commandActions as unknown[],
      reason: req.justification ?? plan.reason,
      proposedExecpolicyAmendment: amendmentOf(req.argv),
    });
    if (!approved(outcome)) {
      if (outcome.decision === "cancel") ctx.state.cancelTurn = true;
      return stop(
        outcome.decision === "failed" ? "failed" : "declined",
        refusalText(outcome, "exec command"),
      );
    }
    remember(ctx, req.argv, outcome);
    userApproved = true;
  }
  const outside = thread.approvals.unsandboxed.has(approvalKey(req.argv));
  const run = await runPlanFor(ctx, req.cwd, plan.sandboxed && !outside);
  if ("refused" in run) return stop("failed", run.refused);
  return { ok: true, plan: run, item, userApproved };
}

/**
 * After a sandbox denial: a command the user already approved runs again outside the
 * sandbox; otherwise, when the approval policy allows it (`on-failure`, `untrusted`), the
 * user is asked first. Returns the unsandboxed plan, or null to keep the failure.
 */
export async function retryPlanAfterDenial(
  ctx: ToolContext,
  req: CommandRequest,
  prepared: { item: Record<string, unknown>; userApproved: boolean },
): Promise<RunPlan | null> {
  const { item } = prepared;
  if (!retriesOutsideSandbox(ctx.thread.settings.approvalPolicy)) return null;
  if (prepared.userApproved) {
    const run = await runPlanFor(ctx, req.cwd, false);
    return "refused" in run ? null : run;
  }
  const outcome = await askCommandApproval(ctx, {
    itemId: req.itemId,
    command: item.command as string,
    cwd: req.cwd,
    commandActions: item.commandActions as unknown[],
    reason: "command failed; retry without sandbox?",
    proposedExecpolicyAmendment: amendmentOf(req.argv),
  });
  if (!approved(outcome)) {
    if (outcome.decision === "cancel") ctx.state.cancelTurn = true;
    return null;
  }
  remember(ctx, req.argv, outcome);
  // Approved for the session after a denial: later runs skip the doomed sandboxed attempt.
  if (outcome.decision === "acceptForSession") {
    ctx.thread.approvals.unsandboxed.add(approvalKey(req.argv));
  }
  const run = await runPlanFor(ctx, req.cwd, false);
  return "refused" in run ? null : run;
}
