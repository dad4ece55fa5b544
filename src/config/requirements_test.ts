import assert from "node:assert/strict";
import { join } from "node:path";
import { constrain, loadRequirements } from "./requirements.ts";

async function withSystemDir(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "codex_req_" }));
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(join(dir, name), text);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("no requirements file: nothing constrains", async () => {
  await withSystemDir({}, async (dir) => {
    assert.deepEqual(await loadRequirements(dir), {
      requirements: null,
      problems: [],
      sources: {},
      mcpAllowList: null,
    });
  });
});

Deno.test("requirements.toml maps to the camelCase wire shape, unset fields null", async () => {
  await withSystemDir({
    "requirements.toml": 'allowed_approval_policies = ["never", "on-request"]\n' +
      'allowed_sandbox_modes = ["read-only"]\nenforce_residency = "us"\n' +
      "[network]\nenabled = true\nhttp_port = 8080\n",
  }, async (dir) => {
    const { requirements, problems, sources } = await loadRequirements(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(requirements, {
      allowedApprovalPolicies: ["never", "on-request"],
      allowedSandboxModes: ["read-only"],
      allowedWebSearchModes: null,
      enforceResidency: "us",
      network: { enabled: true, httpPort: 8080 },
    });
    assert.equal(sources.allowedApprovalPolicies, join(dir, "requirements.toml"));
  });
});

Deno.test("allowed_sandbox_modes without read-only is reported at the value and ignored", async () => {
  await withSystemDir({
    "requirements.toml": 'allowed_approval_policies = ["on-request"]\n' +
      'allowed_sandbox_modes = ["workspace-write"]\n',
  }, async (dir) => {
    const file = join(dir, "requirements.toml");
    const { requirements, problems } = await loadRequirements(dir);
    assert.deepEqual(problems, [{
      kind: "type",
      file,
      keyPath: "allowed_sandbox_modes",
      range: { start: { line: 2, column: 25 }, end: { line: 2, column: 43 } },
      message:
        "invalid value for `allowed_sandbox_modes`: `[WorkspaceWrite]` is not in the allowed set " +
        `must include 'read-only' to allow any SandboxPolicy (set by ${file})`,
    }]);
    assert.deepEqual(requirements?.allowedApprovalPolicies, ["on-request"]);
    assert.equal(requirements?.allowedSandboxModes, null);
  });
});

Deno.test("a bad entry is located; other requirements still apply", async () => {
  await withSystemDir({
    "requirements.toml": 'allowed_approval_policies = ["never", "sometimes"]\n' +
      'allowed_web_search_modes = ["cached"]\n',
  }, async (dir) => {
    const { requirements, problems } = await loadRequirements(dir);
    assert.deepEqual(problems.map((p) => [p.keyPath, p.range, p.message]), [[
      "allowed_approval_policies[1]",
      { start: { line: 1, column: 39 }, end: { line: 1, column: 49 } },
      "unknown variant `sometimes`, expected one of `untrusted`, `on-failure`, `on-request`, `reject`, `never`",
    ]]);
    assert.equal(requirements?.allowedApprovalPolicies, null);
    assert.deepEqual(requirements?.allowedWebSearchModes, ["cached"]);
  });
});

Deno.test("a syntax error in requirements.toml is a located problem, not a crash", async () => {
  await withSystemDir({ "requirements.toml": "allowed_sandbox_modes = [\n" }, async (dir) => {
    const { requirements, problems } = await loadRequirements(dir);
    assert.equal(requirements, null);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, "syntax");
    assert.equal(problems[0]!.file, join(dir, "requirements.toml"));
  });
});

Deno.test("legacy managed_config.toml fills what requirements.toml leaves unset", async () => {
  await withSystemDir({
    "requirements.toml": 'allowed_approval_policies = ["untrusted"]\n',
    "managed_config.toml": 'approval_policy = "never"\nsandbox_mode = "workspace-write"\n',
  }, async (dir) => {
    const { requirements, sources } = await loadRequirements(dir);
    assert.deepEqual(requirements?.allowedApprovalPolicies, ["untrusted"]);
    assert.deepEqual(requirements?.allowedSandboxModes, ["read-only", "workspace-write"]);
    assert.equal(sources.allowedSandboxModes, join(dir, "managed_config.toml"));
  });
});

Deno.test("constrain keeps allowed values and falls back with a message naming the source", () => {
  assert.deepEqual(constrain("approval_policy", "never", null, "x"), {
    value: "never",
    problem: null,
  });
  assert.deepEqual(constrain("approval_policy", "never", ["on-request", "never"], "x"), {
    value: "never",
    problem: null,
  });
  const out = constrain(
    "approval_policy",
    "never",
    ["on-request", "untrusted"],
    "/etc/codex/requirements.toml",
  );
  assert.equal(out.value, "on-request");
  assert.deepEqual(out.problem, {
    kind: "requirement",
    file: null,
    range: null,
    keyPath: "approval_policy",
    message: "Configured value for `approval_policy` is disallowed by requirements; falling " +
      "back to required value on-request. Details: invalid value for `approval_policy`: " +
      "`never` is not in the allowed set [on-request, untrusted] " +
      "(set by /etc/codex/requirements.toml)",
  });
  const table = constrain(
    "approval_policy",
    { reject: { sandbox_approval: true, rules: false, mcp_elicitations: true } } as unknown,
    [{ reject: { rules: false, mcp_elicitations: true, sandbox_approval: true } }] as unknown[],
    "cloud requirements",
  );
  assert.equal(table.problem, null);
});

Deno.test("requirements.toml mcp_servers becomes an allow-list of identities", async () => {
  const text = [
    "[mcp_servers.docs]",
    'identity = { command = "docs-mcp" }',
    "[mcp_servers.web]",
    'identity = { url = "https://mcp.example/web" }',
    "[mcp_servers.bad]",
    "identity = 3",
    "",
  ].join("\n");
  await withSystemDir({ "requirements.toml": text }, async (dir) => {
    const req = await loadRequirements(dir);
    assert.deepEqual(req.mcpAllowList, {
      servers: { docs: { command: "docs-mcp" }, web: { url: "https://mcp.example/web" } },
      source: join(dir, "requirements.toml"),
    });
    assert.deepEqual(req.problems.map((p) => [p.keyPath, p.range?.start.line]), [
      ["mcp_servers.bad", 5],
    ]);
  });
});
