import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { loadConfig } from "./load.ts";
import type { LoadedConfig, LoadOptions } from "./types.ts";

type Files = Record<string, string> | ((root: string) => Record<string, string>);

/** Loads config from a temp tree (`files` may use the tree's root path) and cleans up. */
async function load(
  files: Files,
  more: Partial<LoadOptions>,
  fn: (loaded: LoadedConfig, root: string) => void,
) {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "codex_load_" }));
  try {
    const entries = typeof files === "function" ? files(root) : files;
    for (const [path, text] of Object.entries(entries)) {
      await Deno.mkdir(dirname(join(root, path)), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    }
    const loaded = await loadConfig({
      codexHome: join(root, "home"),
      overrides: [],
      featureToggles: [],
      systemDir: join(root, "etc"),
      ...more,
      cwd: more.cwd ? join(root, more.cwd) : null,
    });
    fn(loaded, root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** origins as `path → "<type> <where>"`, relative to the temp root. */
function origins(loaded: LoadedConfig, root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, layer] of loaded.origins) {
    const s = layer.source;
    const where = s.type === "project" ? s.dotCodexFolder : "file" in s ? s.file : "";
    out[path.replace(root, "<T>")] = `${s.type} ${where.replace(root, "<T>")}`.trim();
  }
  return out;
}

const PROBLEM_FIELDS = (p: LoadedConfig["problems"][number], root: string) => ({
  kind: p.kind,
  file: p.file?.replace(root, "<T>") ?? null,
  keyPath: p.keyPath,
  range: p.range,
  message: p.message,
});

const EXAMPLE = (root: string) => ({
  "home/config.toml": `[projects."${root}/R"]\ntrust_level = "trusted"\n`,
  "R/.git/HEAD": "",
  "R/.codex/config.toml": 'model = "root"\napproval_policy = "never"\n',
  "R/sub/.codex/config.toml": 'model = "sub"\n',
  "R/sub/deep/.codex/config.toml": 'sandbox_mode = "read-only"\n',
});

Deno.test("R/sub/deep example: merged values and their origins (config.md 1.4)", async () => {
  await load(EXAMPLE, { cwd: "R/sub/deep" }, (loaded, root) => {
    assert.deepEqual(loaded.merged, {
      projects: { [`${root}/R`]: { trust_level: "trusted" } },
      model: "sub",
      approval_policy: "never",
      sandbox_mode: "read-only",
    });
    assert.deepEqual(origins(loaded, root), {
      "projects.<T>/R.trust_level": "user <T>/home/config.toml",
      "model": "project <T>/R/sub/.codex",
      "approval_policy": "project <T>/R/.codex",
      "sandbox_mode": "project <T>/R/sub/deep/.codex",
    });
    assert.deepEqual(loaded.problems, []);
  });
});

Deno.test("only R/sub trusted: R/.codex does not take part", async () => {
  await load(
    (root) => ({
      ...EXAMPLE(root),
      "home/config.toml": `[projects."${root}/R/sub"]\ntrust_level = "trusted"\n`,
    }),
    { cwd: "R/sub/deep" },
    (loaded) => {
      assert.equal(loaded.merged["model"], "sub");
      assert.equal(loaded.merged["approval_policy"], undefined);
      assert.equal(loaded.merged["sandbox_mode"], undefined);
    },
  );
});

Deno.test("origins are credited per layer, like the reference (stale paths stay)", async () => {
  await load(
    {
      "home/config.toml": "arr = [1, 2, 3]\nx = 2\n[a]\nb = 1\n[e]\n[t]\nu = 1\n",
    },
    { overrides: ["a=2", "arr=[9]", "x.y=1", "t={}"] },
    (loaded, root) => {
      assert.deepEqual(loaded.merged, { arr: [9], x: { y: 1 }, a: 2, e: {}, t: { u: 1 } });
      const user = "user <T>/home/config.toml";
      assert.deepEqual(origins(loaded, root), {
        "arr.0": "sessionFlags",
        "arr.1": user,
        "arr.2": user,
        "x": user,
        "a.b": user,
        "t.u": user,
        "a": "sessionFlags",
        "x.y": "sessionFlags",
      });
    },
  );
});

Deno.test("an invalid key does not cost the file its valid settings", async () => {
  await load(
    {
      "home/config.toml": 'model = "m"\napproval_policy = "bogus"\n[features]\nx = true\n' +
        'y = "no"\n[model_providers.p]\nname = "P"\nbase_url = "http://x"\n',
    },
    {},
    (loaded, root) => {
      assert.deepEqual(loaded.merged, {
        model: "m",
        features: { x: true },
        model_providers: { p: { name: "P", base_url: "http://x" } },
      });
      assert.deepEqual(loaded.problems.map((p) => PROBLEM_FIELDS(p, root)), [
        {
          kind: "type",
          file: "<T>/home/config.toml",
          keyPath: "approval_policy",
          range: { start: { line: 2, column: 19 }, end: { line: 2, column: 25 } },
          message:
            "unknown variant `bogus`, expected one of `untrusted`, `on-failure`, `on-request`, `reject`, `never`",
        },
        {
          kind: "type",
          file: "<T>/home/config.toml",
          keyPath: "features",
          range: { start: { line: 5, column: 5 }, end: { line: 5, column: 8 } },
          message: 'invalid type: string "no", expected a boolean',
        },
      ]);
      assert.equal(origins(loaded, root)["features.x"], "user <T>/home/config.toml");
      assert.equal(origins(loaded, root)["approval_policy"], undefined);
    },
  );
});

Deno.test("an invalid value in a higher layer falls back to the lower layer's", async () => {
  await load({ "home/config.toml": 'approval_policy = "never"\n' }, {
    overrides: ['approval_policy="bogus"'],
  }, (loaded, root) => {
    assert.equal(loaded.merged["approval_policy"], "never");
    assert.equal(origins(loaded, root)["approval_policy"], "user <T>/home/config.toml");
    assert.equal(loaded.problems.length, 1);
    assert.equal(loaded.problems[0]!.file, null);
    assert.equal(loaded.problems[0]!.keyPath, "approval_policy");
    assert.deepEqual(loaded.layers.at(-1)!.problems, loaded.problems);
  });
});

Deno.test("a table completed by a lower layer is valid (no missing `name`)", async () => {
  await load(
    (root) => ({
      "home/config.toml": `[model_providers.foo]\nname = "Foo"\n[mcp_servers.s]\ncommand = "c"\n` +
        `[projects."${root}/P"]\ntrust_level = "trusted"\n`,
      "P/.git/HEAD": "",
      "P/.codex/config.toml": '[model_providers.foo]\nbase_url = "http://x"\n' +
        "[mcp_servers.s]\nenabled = false\n",
    }),
    { cwd: "P" },
    (loaded) => {
      assert.deepEqual(loaded.problems, []);
      assert.deepEqual(loaded.merged["model_providers"], {
        foo: { name: "Foo", base_url: "http://x" },
      });
      assert.deepEqual(loaded.merged["mcp_servers"], { s: { command: "c", enabled: false } });
    },
  );
});

Deno.test("unknown keys are kept and reported once, by the file that has them", async () => {
  await load({ "home/config.toml": "bogus_key = 1\n[tui]\nzzz = 1\n" }, {
    overrides: ["model=o3"],
  }, (loaded, root) => {
    assert.deepEqual(loaded.merged, { bogus_key: 1, tui: { zzz: 1 }, model: "o3" });
    assert.deepEqual(
      loaded.problems.map((p) => [p.kind, p.keyPath, p.file?.replace(root, "<T>")]),
      [["unknownKey", "bogus_key", "<T>/home/config.toml"], [
        "unknownKey",
        "tui.zzz",
        "<T>/home/config.toml",
      ]],
    );
  });
});

Deno.test("missing model provider and profile are reported where they were set", async () => {
  await load(
    { "home/config.toml": 'model = "m"\nmodel_provider = "nope"\nprofile = "missing"\n' },
    {},
    (
      loaded,
      root,
    ) => {
      assert.deepEqual(loaded.problems.map((p) => PROBLEM_FIELDS(p, root)), [
        {
          kind: "reference",
          file: "<T>/home/config.toml",
          keyPath: "profile",
          range: { start: { line: 3, column: 11 }, end: { line: 3, column: 19 } },
          message: "config profile `missing` not found",
        },
        {
          kind: "reference",
          file: "<T>/home/config.toml",
          keyPath: "model_provider",
          range: { start: { line: 2, column: 18 }, end: { line: 2, column: 23 } },
          message: "Model provider `nope` not found",
        },
      ]);
    },
  );
});

Deno.test("the selected profile's provider must exist; built-ins and defined ones do", async () => {
  await load(
    {
      "home/config.toml": 'model_provider = "mine"\nprofile = "p"\n[profiles.p]\n' +
        'model_provider = "ghost"\n[model_providers.mine]\nname = "Mine"\n',
    },
    { overrides: ["profiles.q.model_provider=ollama"] },
    (loaded) => {
      assert.deepEqual(loaded.problems.map((p) => [p.keyPath, p.message, p.range?.start.line]), [
        ["profiles.p.model_provider", "Model provider `ghost` not found", 4],
      ]);
    },
  );
  await load({ "home/config.toml": "" }, {
    overrides: ["model_provider=nope"],
  }, (loaded) => {
    assert.deepEqual(loaded.problems.map((p) => [p.file, p.range, p.message]), [
      [null, null, "Model provider `nope` not found"],
    ]);
  });
});

Deno.test("a syntax error in one file leaves the other layers working", async () => {
  await load({ "home/config.toml": "[features\n", "etc/config.toml": 'model = "sys"\n' }, {
    overrides: ["approval_policy=never"],
  }, (loaded, root) => {
    assert.deepEqual(loaded.merged, { model: "sys", approval_policy: "never" });
    assert.deepEqual(loaded.problems.map((p) => PROBLEM_FIELDS(p, root)), [{
      kind: "syntax",
      file: "<T>/home/config.toml",
      keyPath: null,
      range: { start: { line: 1, column: 10 }, end: { line: 1, column: 10 } },
      message: "unclosed table, expected `]`",
    }]);
  });
});
