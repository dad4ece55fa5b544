import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { discoverLayers, gitRepoRoot, resolveProjectTrust } from "./layers.ts";
import type { ConfigLayer, LoadOptions } from "./types.ts";

/** Writes `files` (path → text; a trailing `/` makes a folder) under a fresh temp dir. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "codex_layers_" }));
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, path);
    if (path.endsWith("/")) await Deno.mkdir(full, { recursive: true });
    else {
      await Deno.mkdir(dirname(full), { recursive: true });
      await Deno.writeTextFile(full, text);
    }
  }
  return root;
}

function opts(root: string, cwd: string | null, more: Partial<LoadOptions> = {}): LoadOptions {
  return {
    codexHome: join(root, "home"),
    cwd: cwd === null ? null : join(root, cwd),
    overrides: [],
    featureToggles: [],
    systemDir: join(root, "etc"),
    ...more,
  };
}

/** The R/sub/deep example of config.md 1.4; `R/.git/HEAD` makes R a git repository. */
function example(userConfig: string): Record<string, string> {
  return {
    "home/config.toml": userConfig,
    "etc/": "",
    "R/.git/HEAD": "ref: refs/heads/main\n",
    "R/.codex/config.toml": 'model = "root"\napproval_policy = "never"\n',
    "R/sub/.codex/config.toml": 'model = "sub"\n',
    "R/sub/deep/.codex/config.toml": 'sandbox_mode = "read-only"\n',
  };
}

function summary(layers: ConfigLayer[], root: string) {
  return layers.map((l) => {
    const where = l.source.type === "project"
      ? l.source.dotCodexFolder
      : "file" in l.source
      ? l.source.file
      : "";
    return [l.source.type, where.replace(root, "<T>"), l.disabledReason?.replaceAll(root, "<T>")];
  });
}

async function withTree(files: Record<string, string>, fn: (root: string) => Promise<void>) {
  const root = await tree(files);
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const TRUST_R = (root: string) => `[projects."${root}/R"]\ntrust_level = "trusted"\n`;
const ADD_R = "To load config.toml, add <T>/R as a trusted project in <T>/home/config.toml.";

Deno.test("layers come lowest first: system, user, project root → cwd", async () => {
  await withTree(example(""), async (root) => {
    await Deno.writeTextFile(join(root, "home/config.toml"), TRUST_R(root));
    const layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(summary(layers, root), [
      ["system", "<T>/etc/config.toml", undefined],
      ["user", "<T>/home/config.toml", undefined],
      ["project", "<T>/R/.codex", undefined],
      ["project", "<T>/R/sub/.codex", undefined],
      ["project", "<T>/R/sub/deep/.codex", undefined],
    ]);
    assert.deepEqual(layers[2]!.raw, { model: "root", approval_policy: "never" });
    assert.equal(
      layers[2]!.version,
      "sha256:374d40f1f4097f99d1785d3b83b9f5328c28c4baaa447e9ef2e8000f0bedd3d3",
    );
    assert.equal(
      layers[0]!.version,
      "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    );
    assert.deepEqual(layers.flatMap((l) => l.problems), []);
  });
});

Deno.test("without trust entries every project layer is listed but disabled", async () => {
  await withTree(example(""), async (root) => {
    const layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(summary(layers, root).slice(2), [
      ["project", "<T>/R/.codex", ADD_R],
      ["project", "<T>/R/sub/.codex", ADD_R],
      ["project", "<T>/R/sub/deep/.codex", ADD_R],
    ]);
    assert.deepEqual(layers[4]!.raw, { sandbox_mode: "read-only" });
  });
});

Deno.test("a folder's own entry wins over the project root's", async () => {
  await withTree(example(""), async (root) => {
    await Deno.writeTextFile(
      join(root, "home/config.toml"),
      `[projects."${root}/R/sub"]\ntrust_level = "trusted"\n`,
    );
    let layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(summary(layers, root).slice(2), [
      ["project", "<T>/R/.codex", ADD_R],
      ["project", "<T>/R/sub/.codex", undefined],
      ["project", "<T>/R/sub/deep/.codex", ADD_R],
    ]);
    await Deno.writeTextFile(
      join(root, "home/config.toml"),
      `[projects."${root}/R"]\ntrust_level = "untrusted"\n` +
        `[projects."${root}/R/sub/deep"]\ntrust_level = "trusted"\n`,
    );
    layers = await discoverLayers(opts(root, "R/sub/deep"));
    const untrusted =
      "<T>/R is marked as untrusted in <T>/home/config.toml. To load config.toml, mark it trusted.";
    assert.deepEqual(summary(layers, root).slice(2), [
      ["project", "<T>/R/.codex", untrusted],
      ["project", "<T>/R/sub/.codex", untrusted],
      ["project", "<T>/R/sub/deep/.codex", undefined],
    ]);
  });
});

Deno.test("no marker found: the project root is the cwd", async () => {
  const files = example("");
  delete files["R/.git/HEAD"];
  await withTree(files, async (root) => {
    const layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(summary(layers, root).slice(2), [[
      "project",
      "<T>/R/sub/deep/.codex",
      "To load config.toml, add <T>/R/sub/deep as a trusted project in <T>/home/config.toml.",
    ]]);
  });
});

Deno.test("project_root_markers = [] turns root detection off (root = cwd)", async () => {
  // `.git` without HEAD is no repository, so the trust key is the project root itself.
  const files = { ...example("project_root_markers = []\n"), "R/.git/HEAD": "" };
  await withTree(files, async (root) => {
    await Deno.remove(join(root, "R/.git/HEAD"));
    const layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(summary(layers, root).slice(2), [[
      "project",
      "<T>/R/sub/deep/.codex",
      "To load config.toml, add <T>/R/sub/deep as a trusted project in <T>/home/config.toml.",
    ]]);
  });
});

Deno.test("custom markers, and the git repository root as the last trust fallback", async () => {
  const files = { ...example('project_root_markers = ["marker"]\n'), "R/sub/marker": "" };
  await withTree(files, async (root) => {
    let layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(summary(layers, root).slice(2), [
      ["project", "<T>/R/sub/.codex", ADD_R],
      ["project", "<T>/R/sub/deep/.codex", ADD_R],
    ]);
    await Deno.writeTextFile(
      join(root, "home/config.toml"),
      `project_root_markers = ["marker"]\n${TRUST_R(root)}`,
    );
    layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(layers.map((l) => l.disabledReason), [null, null, null, null]);
    // Markers from the session flags count too.
    layers = await discoverLayers(
      opts(root, "R/sub/deep", { overrides: ["project_root_markers=[]"] }),
    );
    assert.deepEqual(summary(layers, root).slice(2, 3), [
      ["project", "<T>/R/sub/deep/.codex", undefined],
    ]);
  });
});

Deno.test("a worktree is trusted through its main repository", async () => {
  await withTree({
    "home/config.toml": "",
    "M/.git/HEAD": "ref: refs/heads/main\n",
    "M/.git/worktrees/w/HEAD": "ref: refs/heads/w\n",
    "M/.git/worktrees/w/commondir": "../..\n",
    "W/.codex/config.toml": 'model = "w"\n',
  }, async (root) => {
    await Deno.writeTextFile(join(root, "W/.git"), `gitdir: ${root}/M/.git/worktrees/w\n`);
    assert.equal(await gitRepoRoot(join(root, "W")), join(root, "M"));
    let layers = await discoverLayers(opts(root, "W"));
    assert.equal(
      layers[2]!.disabledReason,
      `To load config.toml, add ${root}/M as a trusted project in ${root}/home/config.toml.`,
    );
    await Deno.writeTextFile(
      join(root, "home/config.toml"),
      `[projects."${root}/M"]\ntrust_level = "trusted"\n`,
    );
    layers = await discoverLayers(opts(root, "W"));
    assert.equal(layers[2]!.disabledReason, null);
    const trust = await resolveProjectTrust(join(root, "W"), layers[1]!.raw);
    assert.deepEqual(trust, {
      trustLevel: "trusted",
      key: join(root, "M"),
      projectRoot: join(root, "W"),
    });
  });
});

Deno.test("a .codex folder without config.toml is an empty layer with no reason", async () => {
  const files = example("");
  delete files["R/sub/.codex/config.toml"];
  files["R/sub/.codex/"] = "";
  await withTree(files, async (root) => {
    const layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(summary(layers, root)[3], ["project", "<T>/R/sub/.codex", undefined]);
    assert.deepEqual(layers[3]!.raw, {});
  });
});

Deno.test("a .codex folder that is CODEX_HOME is not a project layer", async () => {
  await withTree(example(""), async (root) => {
    const layers = await discoverLayers({
      ...opts(root, "R/sub"),
      codexHome: join(root, "R/.codex"),
    });
    assert.deepEqual(summary(layers, root).map((s) => s[1]), [
      "<T>/etc/config.toml",
      "<T>/R/.codex/config.toml",
      "<T>/R/sub/.codex",
    ]);
  });
});

Deno.test("parse errors: ignored in untrusted files, reported in trusted ones", async () => {
  const files = example("");
  files["R/sub/.codex/config.toml"] = 'model = "x\n';
  await withTree(files, async (root) => {
    let layers = await discoverLayers(opts(root, "R/sub/deep"));
    assert.deepEqual(layers[3]!.raw, {});
    assert.deepEqual(layers.flatMap((l) => l.problems), []);
    await Deno.writeTextFile(join(root, "home/config.toml"), TRUST_R(root));
    layers = await discoverLayers(opts(root, "R/sub/deep"));
    const problems = layers.flatMap((l) => l.problems);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.kind, "syntax");
    assert.equal(problems[0]!.file, join(root, "R/sub/.codex/config.toml"));
    assert.equal(problems[0]!.range?.start.line, 1);
    // The other layers still load.
    assert.deepEqual(layers[4]!.raw, { sandbox_mode: "read-only" });
  });
});

Deno.test("session flags only when set; legacy managed config on top when present", async () => {
  await withTree(
    { "home/config.toml": "", "etc/managed_config.toml": 'model = "m"\n' },
    async (root) => {
      let layers = await discoverLayers(opts(root, null));
      assert.deepEqual(layers.map((l) => l.source.type), [
        "system",
        "user",
        "legacyManagedConfigTomlFromFile",
      ]);
      layers = await discoverLayers(
        opts(root, null, { featureToggles: [{ feature: "unified_exec", enabled: true }] }),
      );
      assert.deepEqual(layers.map((l) => l.source), [
        { type: "system", file: join(root, "etc/config.toml") },
        { type: "user", file: join(root, "home/config.toml") },
        { type: "sessionFlags" },
        { type: "legacyManagedConfigTomlFromFile", file: join(root, "etc/managed_config.toml") },
      ]);
      assert.deepEqual(layers[2]!.raw, { features: { unified_exec: true } });
      assert.equal(layers[2]!.file, null);
    },
  );
});

Deno.test("relative paths in path fields are resolved against the layer's folder", async () => {
  await withTree({
    "home/config.toml": '[sandbox_workspace_write]\nwritable_roots = ["rel", "/abs", "../up"]\n' +
      '[mcp_servers.x]\ncommand = "c"\ncwd = "sub"\n[profiles.p]\nzsh_path = "z"\n',
    "P/.git/HEAD": "",
    "P/.codex/config.toml": 'sandbox_workspace_write.writable_roots = ["prel"]\n' +
      'experimental_instructions_file = "i.md"\n',
  }, async (root) => {
    const layers = await discoverLayers(opts(root, "P"));
    assert.deepEqual(layers[1]!.raw, {
      sandbox_workspace_write: { writable_roots: [`${root}/home/rel`, "/abs", `${root}/up`] },
      mcp_servers: { x: { command: "c", cwd: "sub" } },
      profiles: { p: { zsh_path: `${root}/home/z` } },
    });
    assert.deepEqual(layers[2]!.raw, {
      sandbox_workspace_write: { writable_roots: [`${root}/P/.codex/prel`] },
      experimental_instructions_file: `${root}/P/.codex/i.md`,
    });
  });
});
