import assert from "node:assert/strict";
import {
  buildExecEnv,
  DEFAULT_SHELL_ENVIRONMENT_POLICY,
  globMatcher,
  shellEnvironmentPolicyFrom,
} from "./exec_env.ts";

const BASE = {
  PATH: "/usr/bin",
  HOME: "/root",
  OPENAI_API_KEY: "sk",
  GITHUB_TOKEN: "t",
  my_secret_thing: "s",
  FOO: "1",
  FOOBAR: "2",
  LANG: "C.UTF-8",
};

Deno.test("default policy inherits all but drops credential-looking names", () => {
  const env = buildExecEnv(DEFAULT_SHELL_ENVIRONMENT_POLICY, BASE);
  assert.deepEqual(Object.keys(env).sort(), ["FOO", "FOOBAR", "HOME", "LANG", "PATH"]);
});

Deno.test("ignore_default_excludes keeps credentials", () => {
  const env = buildExecEnv(shellEnvironmentPolicyFrom({ ignore_default_excludes: true }), BASE);
  assert.equal(env.OPENAI_API_KEY, "sk");
  assert.equal(env.my_secret_thing, "s");
});

Deno.test("inherit core and none", () => {
  const core = buildExecEnv(shellEnvironmentPolicyFrom({ inherit: "core" }), BASE);
  assert.deepEqual(core, { PATH: "/usr/bin", HOME: "/root", LANG: "C.UTF-8" });
  const none = buildExecEnv(
    shellEnvironmentPolicyFrom({ inherit: "none", set: { A: "b" } }),
    BASE,
  );
  assert.deepEqual(none, { A: "b" });
});

Deno.test("exclude, set, then include_only in that order", () => {
  const policy = shellEnvironmentPolicyFrom({
    exclude: ["foo?ar"],
    set: { NEW: "x", TOKEN_SET: "kept-because-set-after-excludes" },
    include_only: ["f*", "new", "*_SET"],
  });
  const env = buildExecEnv(policy, BASE);
  assert.deepEqual(env, { FOO: "1", NEW: "x", TOKEN_SET: "kept-because-set-after-excludes" });
});

Deno.test("shellEnvironmentPolicyFrom ignores invalid fields", () => {
  const p = shellEnvironmentPolicyFrom({
    inherit: "bogus",
    ignore_default_excludes: "yes",
    exclude: ["A", 3],
    include_only: "B",
    set: { N: 5, S: "s", O: {} },
  });
  assert.deepEqual(p, {
    inherit: "all",
    ignoreDefaultExcludes: false,
    exclude: ["A"],
    includeOnly: [],
    set: { N: "5", S: "s" },
  });
  assert.deepEqual(shellEnvironmentPolicyFrom(null), shellEnvironmentPolicyFrom([]));
  assert.deepEqual(shellEnvironmentPolicyFrom("x").inherit, "all");
});

Deno.test("globMatcher: * and ?, case-insensitive, regex characters literal", () => {
  assert.equal(globMatcher("*KEY*")("aws_key_id"), true);
  assert.equal(globMatcher("a?c")("ABC"), true);
  assert.equal(globMatcher("a?c")("abbc"), false);
  assert.equal(globMatcher("a.b")("axb"), false);
  assert.equal(globMatcher("a.b")("A.B"), true);
});
