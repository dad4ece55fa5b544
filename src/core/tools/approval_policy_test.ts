import assert from "node:assert/strict";
import {
  allWritable,
  planExec,
  planPatchApproval,
  retriesOutsideSandbox,
} from "./approval_policy.ts";
import type { SandboxPolicy } from "../../protocol/schema/sandbox.ts";

const ww: SandboxPolicy = {
  type: "workspaceWrite",
  writableRoots: [],
  networkAccess: false,
  excludeTmpdirEnvVar: false,
  excludeSlashTmp: false,
  readOnlyAccess: { type: "fullAccess" },
};
const full: SandboxPolicy = { type: "dangerFullAccess" };
const sh = (script: string) => ["/bin/bash", "-lc", script];

Deno.test("planExec: untrusted asks unless the command only reads", () => {
  const base = {
    approvalPolicy: "untrusted" as const,
    sandboxPolicy: ww,
    escalated: false,
    approved: false,
  };
  assert.deepEqual(planExec({ ...base, argv: sh("ls -la") }), { kind: "run", sandboxed: true });
  assert.deepEqual(planExec({ ...base, argv: sh("touch x") }), {
    kind: "ask",
    reason: null,
    sandboxed: true,
  });
  assert.deepEqual(planExec({ ...base, argv: sh("touch x"), approved: true }), {
    kind: "run",
    sandboxed: true,
  });
});

Deno.test("planExec: on-request, on-failure and never run in the sandbox without asking", () => {
  for (const approvalPolicy of ["on-request", "on-failure", "never"] as const) {
    const plan = planExec({
      approvalPolicy,
      sandboxPolicy: ww,
      argv: sh("touch x"),
      escalated: false,
      approved: false,
    });
    assert.deepEqual(plan, { kind: "run", sandboxed: true }, approvalPolicy);
  }
  assert.deepEqual(
    planExec({
      approvalPolicy: "never",
      sandboxPolicy: full,
      argv: sh("touch x"),
      escalated: false,
      approved: false,
    }),
    { kind: "run", sandboxed: false },
  );
});

Deno.test("planExec: escalation asks, is forbidden under never and reject, free without a sandbox", () => {
  const base = { sandboxPolicy: ww, argv: sh("touch /etc/x"), escalated: true, approved: false };
  assert.deepEqual(planExec({ ...base, approvalPolicy: "on-request" }), {
    kind: "ask",
    reason: null,
    sandboxed: false,
  });
  assert.equal(planExec({ ...base, approvalPolicy: "never" }).kind, "forbid");
  const reject = { reject: { sandbox_approval: true, rules: false, mcp_elicitations: false } };
  assert.equal(planExec({ ...base, approvalPolicy: reject }).kind, "forbid");
  assert.deepEqual(planExec({ ...base, approvalPolicy: "on-request", sandboxPolicy: full }), {
    kind: "run",
    sandboxed: false,
  });
});

Deno.test("planExec: destructive commands ask except under never", () => {
  const base = { sandboxPolicy: full, argv: sh("rm -rf /"), escalated: false, approved: false };
  assert.equal(planExec({ ...base, approvalPolicy: "on-request" }).kind, "ask");
  assert.equal(planExec({ ...base, approvalPolicy: "never" }).kind, "run");
});

Deno.test("retriesOutsideSandbox: on-failure and untrusted only", () => {
  assert.equal(retriesOutsideSandbox("on-failure"), true);
  assert.equal(retriesOutsideSandbox("untrusted"), true);
  assert.equal(retriesOutsideSandbox("on-request"), false);
  assert.equal(retriesOutsideSandbox("never"), false);
});

Deno.test("planPatchApproval: writable area, protected paths, policies", () => {
  const area = { roots: ["/ws"], protectedPaths: ["/ws/.git"] };
  const base = { sandboxPolicy: ww, area, approved: false };
  assert.deepEqual(planPatchApproval({ ...base, approvalPolicy: "on-request", paths: ["/ws/a"] }), {
    kind: "apply",
  });
  assert.equal(
    planPatchApproval({ ...base, approvalPolicy: "on-request", paths: ["/ws/.git/x"] }).kind,
    "ask",
  );
  assert.equal(
    planPatchApproval({ ...base, approvalPolicy: "never", paths: ["/etc/x"] }).kind,
    "forbid",
  );
  assert.equal(
    planPatchApproval({ ...base, approvalPolicy: "untrusted", paths: ["/ws/a"] }).kind,
    "ask",
  );
  assert.deepEqual(
    planPatchApproval({
      ...base,
      sandboxPolicy: full,
      area: null,
      approvalPolicy: "never",
      paths: ["/etc/x"],
    }),
    { kind: "apply" },
  );
  const ro = planPatchApproval({
    ...base,
    sandboxPolicy: { type: "readOnly", access: { type: "fullAccess" } },
    area: null,
    approvalPolicy: "on-request",
    paths: ["/ws/a"],
  });
  assert.deepEqual(ro, { kind: "ask", reason: "the sandbox is read-only" });
  assert.equal(allWritable(["/wsx/a"], area), false, "a sibling with a common prefix is outside");
});
