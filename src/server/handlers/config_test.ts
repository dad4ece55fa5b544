import assert from "node:assert/strict";
import { effectiveConfigJson } from "./config.ts";

Deno.test("effectiveConfigJson() puts known keys first, null when unset, then the rest verbatim", () => {
  const json = effectiveConfigJson({ zzz: 1, features: { x: true }, model: "m" });
  const keys = Object.keys(json);
  assert.deepEqual(keys.slice(0, 4), [
    "model",
    "review_model",
    "model_context_window",
    "model_auto_compact_token_limit",
  ]);
  assert.deepEqual(keys.slice(-3), ["apps", "zzz", "features"]);
  assert.equal(json.model, "m");
  assert.equal(json.review_model, null);
  assert.deepEqual(json.profiles, {});
  assert.deepEqual(json.features, { x: true });
});

Deno.test("effectiveConfigJson() fills the defaults of typed sub-tables like the reference", () => {
  const json = effectiveConfigJson({
    sandbox_workspace_write: { network_access: true, extra: 1 },
    tools: { web_search: true },
    analytics: { enabled: false },
    profiles: { p: { model: "pm", foo: 1 } },
  });
  assert.deepEqual(json.sandbox_workspace_write, {
    writable_roots: [],
    network_access: true,
    exclude_tmpdir_env_var: false,
    exclude_slash_tmp: false,
  });
  assert.deepEqual(json.tools, { web_search: true, view_image: null });
  assert.deepEqual(json.analytics, { enabled: false });
  assert.deepEqual(Object.keys((json.profiles as Record<string, object>).p!), [
    "model",
    "model_provider",
    "approval_policy",
    "model_reasoning_effort",
    "model_reasoning_summary",
    "model_verbosity",
    "web_search",
    "chatgpt_base_url",
    "foo",
  ]);
});
