/**
 * When a command or a patch needs the user's approval and whether it runs in the sandbox,
 * from the approval policy and the sandbox policy. Pure, so the whole matrix is unit-tested.
 *
 * @module
 */

import type { AskForApproval, SandboxPolicy } from "../../protocol/schema/sandbox.ts";
import { isDangerousCommand, isKnownSafeCommand } from "./safe_commands.ts";
import { isWithin } from "../exec/sandbox.ts";

/** What to do with a command before running it. */
export type ExecPlan =
  | { kind: "run"; sandboxed: boolean }
  | { kind: "ask"; reason: string | null; sandboxed: boolean }
  | { kind: "forbid"; reason: string };

/** Whether the sandbox policy leaves commands uncontained (the client may contain them). */
export function isUnsandboxed(policy: SandboxPolicy): boolean {
  return policy.type === "dangerFullAccess" || policy.type === "externalSandbox";
}

function rejects(policy: AskForApproval, what: "sandbox_approval" | "rules"): boolean {
  return typeof policy === "object" && policy.reject[what];
}

/**
 * Decides a command. `escalated` is the model's `sandbox_permissions: "require_escalated"`;
 * `approved` says the user already approved this command for the session.
 */
export function planExec(opts: {
  approvalPolicy: AskForApproval;
  sandboxPolicy: SandboxPolicy;
  argv: string[];
  escalated: boolean;
  approved: boolean;
}): ExecPlan {
  const { approvalPolicy: policy, escalated } = opts;
  const sandboxed = !isUnsandboxed(opts.sandboxPolicy);
  if (opts.approved) return { kind: "run", sandboxed: sandboxed && !escalated };
  if (escalated && sandboxed) {
    if (policy === "never") {
      return {
        kind: "forbid",
        reason:
          "running outside the sandbox needs approval, but the approval policy is `never`; run the command without `sandbox_permissions`",
      };
    }
    if (rejects(policy, "sandbox_approval")) {
      return {
        kind: "forbid",
        reason: "running outside the sandbox was rejected by the approval policy",
      };
    }
    return { kind: "ask", reason: null, sandboxed: false };
  }
  if (policy !== "never" && isDangerousCommand(opts.argv)) {
    if (rejects(policy, "rules")) {
      return { kind: "forbid", reason: "the command looks destructive and was rejected by policy" };
    }
    return { kind: "ask", reason: "this command looks destructive", sandboxed };
  }
  if (policy === "untrusted" && !isKnownSafeCommand(opts.argv)) {
    return { kind: "ask", reason: null, sandboxed };
  }
  return { kind: "run", sandboxed };
}

/** Whether a command the sandbox denied may be re-run outside it after asking the user. */
export function retriesOutsideSandbox(policy: AskForApproval): boolean {
  return policy === "on-failure" || policy === "untrusted";
}

/** What to do with a patch before applying it. */
export type PatchPlan =
  | { kind: "apply" }
  | { kind: "ask"; reason: string | null }
  | { kind: "forbid"; reason: string };

/** Paths a workspace-write sandbox lets the agent write, with the parts it keeps read-only. */
export interface WritableArea {
  roots: string[];
  protectedPaths: string[];
}

/** Whether every path lies in a writable root and outside its protected parts. */
export function allWritable(paths: string[], area: WritableArea): boolean {
  return paths.every((p) =>
    area.roots.some((r) => isWithin(p, r)) && !area.protectedPaths.some((x) => isWithin(p, x))
  );
}

/**
 * Decides a patch. The server writes patches itself, so the sandbox's writable area is
 * checked here: writes inside it go ahead unless the policy is `untrusted`.
 */
export function planPatchApproval(opts: {
  approvalPolicy: AskForApproval;
  sandboxPolicy: SandboxPolicy;
  paths: string[];
  area: WritableArea | null;
  approved: boolean;
}): PatchPlan {
  const { approvalPolicy: policy } = opts;
  if (opts.approved) return { kind: "apply" };
  if (policy === "untrusted") return { kind: "ask", reason: null };
  const writable = isUnsandboxed(opts.sandboxPolicy) ||
    (opts.area !== null && allWritable(opts.paths, opts.area));
  if (writable) return { kind: "apply" };
  const outside = opts.sandboxPolicy.type === "readOnly"
    ? "the sandbox is read-only"
    : "the patch writes outside the writable roots";
  if (policy === "never") {
    return {
      kind: "forbid",
      reason: `patch rejected: ${outside} and the approval policy is never`,
    };
  }
  if (rejects(policy, "sandbox_approval")) {
    return { kind: "forbid", reason: `patch rejected: ${outside}` };
  }
  return { kind: "ask", reason: outside };
}
