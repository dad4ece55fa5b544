import assert from "node:assert/strict";
import { DEFAULT_MODEL, resolveEffective } from "./effective.ts";
import type { ConfigLayer, LoadedConfig, TomlTable } from "./types.ts";

/** A loaded config made of one user layer holding `merged`. */
function loaded(merged: TomlTable): LoadedConfig {
  const layer: ConfigLayer = {
    source: { type: "user", file: "/home/u/.codex/config.toml" },
    file: "/home/u/.codex/config.toml",
    text: null,
    raw: merged,
    version: "sha256:x",
    disabledReason: null,
    problems: [],
  };
  return { layers: [layer], merged, origins: new Map(), problems: [] };
}

Deno.test("built-in defaults (config.md 1.8)", () => {
  const { config, problems } = resolveEffective(loaded({}), null);
  assert.deepEqual(problems, []);
  assert.equal(config.model, DEFAULT_MODEL);
  assert.equal(config.model, "gpt-5.2-codex");
  assert.equal(config.modelProvider, "openai");
  assert.equal(config.approvalPolicy, "on-request");
  assert.equal(config.sandboxMode, "read-only");
  assert.deepEqual(config.sandboxWorkspaceWrite, {
    writableRoots: [],
    networkAccess: false,
    excludeTmpdirEnvVar: false,
    excludeSlashTmp: false,
  });
  assert.equal(config.analyticsEnabled, false);
  assert.deepEqual(config.projectRootMarkers, [".git"]);
  assert.equal(config.approvalTimeoutSecs, null);
  assert.equal(config.profile, null);
  assert.deepEqual(config.features, {});
  assert.equal(
    resolveEffective(loaded({}), null, { cwdTrusted: true }).config.sandboxMode,
    "workspace-write",
  );
});

Deno.test("analytics: [analytics] enabled overrides the command-line default", () => {
  const on = { analyticsDefaultEnabled: true };
  assert.equal(resolveEffective(loaded({}), null, on).config.analyticsEnabled, true);
  assert.equal(
    resolveEffective(loaded({ analytics: { enabled: false } }), null, on).config.analyticsEnabled,
    false,
  );
  assert.equal(
    resolveEffective(loaded({ analytics: { enabled: true } }), null).config.analyticsEnabled,
    true,
  );
});

Deno.test("the selected profile overrides top-level keys", () => {
  const merged: TomlTable = {
    model: "top-model",
    approval_policy: "untrusted",
    model_reasoning_effort: "low",
    profile: "p",
    profiles: { p: { model: "profile-model", approval_policy: "on-failure" }, q: { model: "q" } },
    features: { a: true },
  };
  const { config } = resolveEffective(loaded(merged), null);
  assert.equal(config.model, "profile-model");
  assert.equal(config.approvalPolicy, "on-failure");
  assert.equal(config.modelReasoningEffort, "low");
  assert.equal(config.profile, "p");
  assert.deepEqual(config.features, { a: true });
  // A missing profile is ignored here (the load reports it).
  const missing = resolveEffective(loaded({ ...merged, profile: "nope" }), null).config;
  assert.equal(missing.model, "top-model");
  assert.equal(missing.profile, null);
});

Deno.test("typed values and raw tables", () => {
  const { config } = resolveEffective(
    loaded({
      model_provider: "mine",
      model_providers: { mine: { name: "Mine" } },
      sandbox_mode: "workspace-write",
      sandbox_workspace_write: { writable_roots: ["/a"], network_access: true },
      model_reasoning_summary: "concise",
      model_verbosity: "high",
      personality: "pragmatic",
      web_search: "live",
      mcp_servers: { s: { command: "c" } },
      shell_environment_policy: { inherit: "core" },
      approval_timeout_secs: 30,
      project_root_markers: [],
      approval_policy: { reject: { sandbox_approval: true, rules: false, mcp_elicitations: true } },
    }),
    null,
  );
  assert.equal(config.modelProvider, "mine");
  assert.deepEqual(config.modelProviders, { mine: { name: "Mine" } });
  assert.equal(config.sandboxMode, "workspace-write");
  assert.deepEqual(config.sandboxWorkspaceWrite.writableRoots, ["/a"]);
  assert.equal(config.sandboxWorkspaceWrite.networkAccess, true);
  assert.equal(config.modelReasoningSummary, "concise");
  assert.equal(config.modelVerbosity, "high");
  assert.equal(config.personality, "pragmatic");
  assert.equal(config.webSearch, "live");
  assert.deepEqual(config.mcpServers, { s: { command: "c" } });
  assert.deepEqual(config.shellEnvironmentPolicy, { inherit: "core" });
  assert.equal(config.approvalTimeoutSecs, 30);
  assert.deepEqual(config.projectRootMarkers, []);
  assert.deepEqual(config.approvalPolicy, {
    reject: { sandbox_approval: true, rules: false, mcp_elicitations: true },
  });
  // An unknown provider falls back to the default (the load reports it).
  const unknown = resolveEffective(loaded({ model_provider: "ghost" }), null).config;
  assert.equal(unknown.modelProvider, "openai");
});

Deno.test("requirements replace disallowed values and say who required it", () => {
  const { config, problems } = resolveEffective(
    loaded({ approval_policy: "never", sandbox_mode: "danger-full-access", web_search: "live" }),
    {
      allowedApprovalPolicies: ["on-request"],
      allowedSandboxModes: ["read-only", "workspace-write"],
      allowedWebSearchModes: ["cached", "disabled"],
    },
    { requirementSources: { allowedApprovalPolicies: "/etc/codex/requirements.toml" } },
  );
  assert.equal(config.approvalPolicy, "on-request");
  assert.equal(config.sandboxMode, "read-only");
  assert.equal(config.webSearch, "cached");
  assert.deepEqual(problems.map((p) => [p.kind, p.keyPath]), [
    ["requirement", "approval_policy"],
    ["requirement", "sandbox_mode"],
    ["requirement", "web_search"],
  ]);
  assert.equal(
    problems[0]!.message,
    "Configured value for `approval_policy` is disallowed by requirements; falling back to " +
      "required value on-request. Details: invalid value for `approval_policy`: `never` is not " +
      "in the allowed set [on-request] (set by /etc/codex/requirements.toml)",
  );
  assert.match(
    problems[1]!.message,
    /`danger-full-access` is not in the allowed set \[read-only, workspace-write\] \(set by requirements\)$/,
  );
  // The default is constrained too.
  const def = resolveEffective(loaded({}), { allowedApprovalPolicies: ["never"] });
  assert.equal(def.config.approvalPolicy, "never");
  assert.equal(def.problems.length, 1);
});

Deno.test("MCP servers outside the requirements allow-list are left out, with the reason", () => {
  const merged: TomlTable = {
    mcp_servers: {
      docs: { command: "docs-mcp" },
      wrong: { command: "other" },
      web: { url: "http://x" },
      stranger: { command: "x" },
    },
  };
  const allow = {
    servers: {
      docs: { command: "docs-mcp" },
      wrong: { command: "right" },
      web: { url: "http://x" },
    },
    source: "/etc/codex/requirements.toml",
  };
  const { config, problems } = resolveEffective(loaded(merged), null, { mcpAllowList: allow });
  assert.deepEqual(Object.keys(config.mcpServers), ["docs", "web"]);
  assert.deepEqual(problems.map((p) => [p.kind, p.keyPath, p.message]), [
    [
      "requirement",
      "mcp_servers.wrong",
      "MCP server `wrong` is disabled by requirements: its command does not match the allowed command `right` (set by /etc/codex/requirements.toml)",
    ],
    [
      "requirement",
      "mcp_servers.stranger",
      "MCP server `stranger` is disabled by requirements: it is not in the allowed list (set by /etc/codex/requirements.toml)",
    ],
  ]);
  const unconstrained = resolveEffective(loaded(merged), null).config.mcpServers;
  assert.equal(Object.keys(unconstrained).length, 4);
});
