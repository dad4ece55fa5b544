/**
 * `apply_patch`: edits files with Codex's patch format, as a freeform tool (the patch is the
 * whole input) or a function tool (`{input}`), and when a shell script is only an
 * `apply_patch` heredoc. Each call is one `fileChange` item with per-file diffs; the turn's
 * aggregated diff follows as `turn/diff/updated`.
 *
 * @module
 */

import { completeItem, startItem } from "./tool_items.ts";
import type { SandboxPolicy } from "../../protocol/schema/sandbox.ts";
import type { CustomToolSpec, FunctionToolSpec } from "../model/request.ts";
import { sandboxSpecOf } from "../exec/sandbox.ts";
import { parsePatch, PatchParseError } from "./apply_patch/parser.ts";
import { applyPlan, type PlannedChange, planPatch } from "./apply_patch/apply.ts";
import { planPatchApproval, type WritableArea } from "./approval_policy.ts";
import { approved, askPatchApproval, refusalText } from "./client_asks.ts";
import { formatSeconds } from "./truncate.ts";
import {
  functionSpec,
  parseArguments,
  requiredString,
  type ToolCall,
  type ToolContext,
  type ToolHandler,
} from "./tool_types.ts";

const DESCRIPTION = [
  "Edits files with a patch. The input starts with `*** Begin Patch` and ends with",
  "`*** End Patch`. Between them, one section per file:",
  "`*** Add File: <path>` followed by the new content, each line prefixed with `+`;",
  "`*** Delete File: <path>`;",
  "`*** Update File: <path>`, optionally `*** Move to: <new path>`, then hunks that each",
  "start with `@@` (optionally followed by a line to anchor on, such as a function header)",
  "and list lines prefixed with ` ` (unchanged context), `-` (removed) or `+` (added).",
  "Give about three lines of context around each change. Paths are relative to the",
  "working directory.",
].join("\n");

/** The freeform form: the patch text is the call's whole input. */
export const applyPatchFreeformSpec: CustomToolSpec = {
  type: "custom",
  name: "apply_patch",
  description: DESCRIPTION,
  format: { type: "text" },
};

/** The function form: `{input: <patch text>}`. */
export const applyPatchFunctionSpec: FunctionToolSpec = functionSpec(
  "apply_patch",
  DESCRIPTION,
  { input: { type: "string", description: "The whole patch." } },
  ["input"],
);

/** The writable area of a workspace-write sandbox, or null for the other policies. */
function writableArea(ctx: ToolContext, cwd: string): WritableArea | null {
  const spec = sandboxSpecOf(ctx.thread.settings.sandboxPolicy as SandboxPolicy, {
    cwd,
    codexHome: ctx.host.codexHome,
    env: Deno.env.toObject(),
  });
  if (spec.kind !== "workspaceWrite") return null;
  return { roots: spec.writableRoots, protectedPaths: spec.readOnlySubpaths };
}

function touchedPaths(changes: PlannedChange[]): string[] {
  return changes.flatMap((c) =>
    c.kind.type === "update" && c.kind.move_path ? [c.path, c.kind.move_path] : [c.path]
  );
}

/** Applies `patchText` in `cwd` as the item `itemId`; returns the model's output. */
export async function runApplyPatch(
  ctx: ToolContext,
  itemId: string,
  patchText: string,
  cwd: string,
): Promise<string> {
  let changes: PlannedChange[];
  try {
    changes = await planPatch(parsePatch(patchText), cwd);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const kind = error instanceof PatchParseError ? "" : " (the patch does not apply)";
    return `apply_patch verification failed${kind}: ${message}`;
  }
  const { thread, turn, host } = ctx;
  const started = Date.now();
  const item = {
    type: "fileChange",
    id: itemId,
    changes: changes.map((c) => ({ path: c.path, kind: c.kind, diff: c.diff })),
    status: "inProgress",
  };
  const complete = (status: string) => completeItem(ctx, item, { status });
  // Output of the item (the tool's summary, or why nothing was applied).
  const note = (delta: string) =>
    host.emit({
      kind: "fileChangeOutputDelta",
      threadId: thread.id,
      turnId: turn.id,
      itemId,
      delta,
    });
  startItem(ctx, item);
  const paths = touchedPaths(changes);
  const plan = planPatchApproval({
    approvalPolicy: thread.settings.approvalPolicy,
    sandboxPolicy: thread.settings.sandboxPolicy as SandboxPolicy,
    paths,
    area: writableArea(ctx, cwd),
    approved: paths.every((p) => thread.approvals.paths.has(p)),
  });
  if (plan.kind === "forbid") {
    note(plan.reason);
    complete("declined");
    return plan.reason;
  }
  if (plan.kind === "ask") {
    const outcome = await askPatchApproval(ctx, { itemId, reason: plan.reason, grantRoot: null });
    if (!approved(outcome)) {
      if (outcome.decision === "cancel") ctx.state.cancelTurn = true;
      const refusal = refusalText(outcome, "patch");
      // An automatic decline (timeout, no client left) says why in the item itself.
      if ("reason" in outcome && outcome.reason) note(refusal);
      complete(outcome.decision === "failed" ? "failed" : "declined");
      return refusal;
    }
    if (outcome.decision === "acceptForSession") {
      for (const p of paths) thread.approvals.paths.add(p);
    }
  }
  for (const c of changes) {
    ctx.state.diff.noteBaseline(c.path, c.oldContent);
    if (c.kind.type === "update" && c.kind.move_path) {
      ctx.state.diff.noteMove(c.path, c.kind.move_path);
    }
  }
  // The tool's own output (its summary, or why it failed) is streamed, then the item ends.
  const finish = async (output: string, status: "completed" | "failed") => {
    note(output);
    complete(status);
    await emitTurnDiff(ctx);
  };
  let summary: string;
  try {
    summary = await applyPlan(changes, cwd);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finish(message, "failed");
    return `apply_patch failed: ${message}`;
  }
  await finish(summary, "completed");
  // The shape the reference gives models for a patch, as for a command.
  return `Exit code: 0\nWall time: ${
    formatSeconds(Date.now() - started)
  } seconds\nOutput:\n${summary}`;
}

/** Sends the turn's aggregated diff (after each change, and once more at the turn's end). */
export async function emitTurnDiff(ctx: ToolContext): Promise<void> {
  ctx.state.changedFiles = true;
  const diff = await ctx.state.diff.diff().catch(() => null);
  if (diff === null) return;
  ctx.host.emit({ kind: "turnDiffUpdated", threadId: ctx.thread.id, turnId: ctx.turn.id, diff });
}

/** The handler; which spec is offered depends on the thread's settings (see the registry). */
export const applyPatchTool: ToolHandler = {
  spec: applyPatchFreeformSpec,
  async handle(call: ToolCall, ctx: ToolContext) {
    const text = call.kind === "custom"
      ? call.payload
      : requiredString(parseArguments(call), "input");
    return await runApplyPatch(ctx, call.callId, text, ctx.thread.settings.cwd);
  },
};
