/**
 * Black-box tests of `codex config` and `codex app-server --strict-config`: exit codes, the
 * text people read (rendered diagnostics for every problem, origins, layers), and that `set`
 * and `unset` edit the user config without losing comments or tearing the file.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type CliResult, runCli } from "./support/server.ts";
import { initExperimental, withStdio } from "./support/stdio_helpers.ts";

/** A private CODEX_HOME, system config folder and git project, removed afterwards. */
interface Fixture {
  root: string;
  home: string;
  system: string;
  project: string;
  /** Runs `codex ARGS` against this fixture. */
  run(args: string[]): Promise<CliResult>;
  /** Writes a file below the fixture root (parent folders created). */
  write(rel: string, text: string): Promise<string>;
  read(rel: string): Promise<string>;
}

async function withFixture(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "codex-config-cli-" }));
  const home = join(root, "home");
  const system = join(root, "etc-codex");
  const project = join(root, "repo");
  for (const dir of [home, system, join(project, ".git")]) {
    await Deno.mkdir(dir, { recursive: true });
  }
  const f: Fixture = {
    root,
    home,
    system,
    project,
    run: (args) => runCli(args, { codexHome: home, env: { CODEX_SYSTEM_CONFIG_DIR: system } }),
    async write(rel, text) {
      const path = join(root, rel);
      await Deno.mkdir(join(path, ".."), { recursive: true });
      await Deno.writeTextFile(path, text);
      return path;
    },
    read: (rel) => Deno.readTextFile(join(root, rel)),
  };
  try {
    await fn(f);
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

function assertExit(out: CliResult, code: number, what: string): void {
  assert.equal(
    out.code,
    code,
    `${what}: exit ${out.code}\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`,
  );
}

Deno.test("config --help lists every command; each command's --help lists its options", async () => {
  const top = await runCli(["config", "--help"]);
  assertExit(top, 0, "config --help");
  for (const cmd of ["show", "get", "set", "unset", "validate", "path"]) {
    assert.match(top.stdout, new RegExp(`^  ${cmd} `, "m"));
  }
  const cases: Array<[string, RegExp[]]> = [
    ["show", [/--json/, /--origins/, /--layers/, /--cwd <DIR>/, /-c, --config/]],
    ["get", [/Usage: codex config get <KEY>/, /--json/]],
    ["set", [/Usage: codex config set <KEY> <VALUE>/, /comments/i]],
    ["unset", [/Usage: codex config unset <KEY>/]],
    ["validate", [/--strict/, /unknown keys/]],
    ["path", [/Usage: codex config path/]],
  ];
  const outs = await Promise.all(cases.map(([cmd]) => runCli(["config", cmd, "--help"])));
  cases.forEach(([cmd, patterns], i) => {
    assertExit(outs[i]!, 0, `config ${cmd} --help`);
    for (const p of patterns) assert.match(outs[i]!.stdout, p, `config ${cmd} --help`);
  });
  const bare = await runCli(["config"]);
  assertExit(bare, 2, "config with no command");
  assert.match(bare.stdout, /^Usage: codex config/m);
  const main = await runCli(["--help"]);
  assert.match(main.stdout, /^ {2}config /m);
});

Deno.test("config: bad arguments exit 2 with a one-line error", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["config", "bogus"], /^error: unrecognized subcommand 'bogus'$/],
    [["config", "get"], /^error: the following required arguments were not provided: <KEY>$/],
    [["config", "set", "model"], /^error: .*<VALUE>$/],
    [["config", "get", "a", "b"], /^error: unexpected argument 'b' found$/],
    [["config", "show", "--bogus"], /^error: unexpected argument '--bogus' found$/],
    [["config", "-c", "novalue", "show"], /^error: invalid -c override 'novalue': missing '='$/],
    [
      ["config", "show", "--cwd", "/definitely/not/here"],
      /^error: invalid value '\/definitely\/not\/here' for '--cwd <DIR>': not a directory$/,
    ],
    [["config", "get", "a..b"], /^error: unexpected '\.' in key 'a\.\.b'$/],
    [["config", "unset", "a."], /^error: key 'a\.' ends with '\.'$/],
  ];
  const outs = await Promise.all(cases.map(([args]) => runCli(args)));
  cases.forEach(([args, first], i) => {
    const out = outs[i]!;
    assertExit(out, 2, args.join(" "));
    assert.match(out.stderr.split("\n")[0]!, first, args.join(" "));
    assert.equal(out.stdout, "");
  });
});

Deno.test("config show: TOML, --json, --origins and --layers", async () => {
  await withFixture(async (f) => {
    await f.write("etc-codex/config.toml", 'model = "sys-model"\nhide_agent_reasoning = true\n');
    await f.write(
      "home/config.toml",
      '# my settings\nmodel = "gpt-5"\n\n[features]\nshell_tool = true\n',
    );
    const cwd = ["--cwd", f.project];

    const toml = await f.run(["config", "show", ...cwd]);
    assertExit(toml, 0, "show");
    assert.match(toml.stdout, /^model = "gpt-5"$/m);
    assert.match(toml.stdout, /^hide_agent_reasoning = true$/m);
    assert.match(toml.stdout, /^\[features\]\nshell_tool = true$/m);

    const json = await f.run(["config", "show", "--json", ...cwd]);
    assertExit(json, 0, "show --json");
    const config = JSON.parse(json.stdout);
    assert.equal(config.model, "gpt-5");
    assert.deepEqual(config.features, { shell_tool: true });

    const origins = await f.run([
      "config",
      "-c",
      "model_verbosity=low",
      "show",
      "--origins",
      ...cwd,
    ]);
    assertExit(origins, 0, "show --origins");
    const userFile = join(f.home, "config.toml");
    assert.ok(origins.stdout.includes(`model = "gpt-5"  # user (${userFile})`), origins.stdout);
    assert.match(origins.stdout, /^hide_agent_reasoning = true {2}# system \(/m);
    assert.match(origins.stdout, /^model_verbosity = "low" {2}# session flags$/m);

    const originsJson = JSON.parse(
      (await f.run(["config", "show", "--json", "--origins", "--enable", "x", ...cwd])).stdout,
    );
    assert.deepEqual(originsJson.origins.model.name, { type: "user", file: userFile });
    assert.equal(originsJson.origins["features.x"].name.type, "sessionFlags");
    assert.match(originsJson.origins.model.version, /^sha256:[0-9a-f]{64}$/);

    const layers = await f.run(["config", "-c", "model=o3", "show", "--layers", ...cwd]);
    assertExit(layers, 0, "show --layers");
    const order = [...layers.stdout.matchAll(/^# \d+\. (\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(order.slice(0, 1), ["session"]);
    assert.ok(order.indexOf("user") < order.indexOf("system"), layers.stdout);
    assert.match(layers.stdout, /^# +version sha256:[0-9a-f]{64}$/m);

    const layersJson = JSON.parse(
      (await f.run(["config", "-c", "model=o3", "show", "--json", "--layers", ...cwd])).stdout,
    );
    const types = layersJson.layers.map((l: { name: { type: string } }) => l.name.type);
    assert.equal(types[0], "sessionFlags");
    assert.ok(types.indexOf("user") < types.indexOf("system"));
    assert.deepEqual(layersJson.layers[0].config, { model: "o3" });
  });
});

Deno.test("config show/get/path: untrusted project layer is ignored and says why", async () => {
  await withFixture(async (f) => {
    await f.write("home/config.toml", 'model = "user-model"\n');
    await f.write("repo/.codex/config.toml", 'model = "project-model"\n');
    const sub = join(f.project, "sub");
    await Deno.mkdir(sub);
    const cwd = ["--cwd", sub];

    const get = await f.run(["config", "get", "model", ...cwd]);
    assertExit(get, 0, "get model (untrusted)");
    assert.equal(get.stdout, '"user-model"\n');

    const layers = await f.run(["config", "show", "--layers", ...cwd]);
    assert.match(layers.stdout, /IGNORED: .*trusted/);

    const path = await f.run(["config", "path", ...cwd]);
    assertExit(path, 0, "path");
    const projectFile = join(f.project, ".codex", "config.toml");
    const line = path.stdout.split("\n").find((l) => l.includes(projectFile));
    assert.ok(line?.includes("ignored:"), path.stdout);
    assert.ok(path.stdout.includes(join(sub, ".codex", "config.toml")), path.stdout);

    await f.write(
      "home/config.toml",
      `model = "user-model"\n[projects.${JSON.stringify(f.project)}]\ntrust_level = "trusted"\n`,
    );
    const trusted = await f.run(["config", "show", "--origins", ...cwd]);
    assert.ok(
      trusted.stdout.includes(`model = "project-model"  # project ${join(f.project, ".codex")}`),
      trusted.stdout,
    );
    const viaQuotedKey = await f.run([
      "config",
      "get",
      `projects.${JSON.stringify(f.project)}.trust_level`,
      ...cwd,
    ]);
    assert.equal(viaQuotedKey.stdout, '"trusted"\n');
  });
});

Deno.test("config get: scalars, tables, --json, and exit 1 when unset", async () => {
  await withFixture(async (f) => {
    await f.write(
      "home/config.toml",
      'model_context_window = 1000\n[sandbox_workspace_write]\nnetwork_access = true\nwritable_roots = ["/a"]\n',
    );
    const cwd = ["--cwd", f.project];
    const [num, table, json, missing] = await Promise.all([
      f.run(["config", "get", "model_context_window", ...cwd]),
      f.run(["config", "get", "sandbox_workspace_write", ...cwd]),
      f.run(["config", "get", "sandbox_workspace_write", "--json", ...cwd]),
      f.run(["config", "get", "model", ...cwd]),
    ]);
    assert.equal(num.stdout, "1000\n");
    assertExit(table, 0, "get table");
    assert.equal(
      table.stdout,
      '[sandbox_workspace_write]\nnetwork_access = true\nwritable_roots = ["/a"]\n',
    );
    assert.deepEqual(JSON.parse(json.stdout), { network_access: true, writable_roots: ["/a"] });
    assertExit(missing, 1, "get missing key");
    assert.equal(missing.stdout, "");
    assert.equal(missing.stderr, "error: model is not set\n");
  });
});

Deno.test("config set: keeps comments, parses values like -c, refuses invalid values", async () => {
  await withFixture(async (f) => {
    const original = '# top comment\nmodel = "gpt-5" # inline\n\n# features below\n[features]\n' +
      "shell_tool = true # keep me\n";
    const file = await f.write("home/config.toml", original);
    const cwd = ["--cwd", f.project];

    const set = await f.run(["config", "set", "model", "o3", ...cwd]);
    assertExit(set, 0, "set model");
    assert.equal(set.stdout, `set model = "o3" (was "gpt-5") in ${file}\n`);
    let text = await f.read("home/config.toml");
    for (const kept of ["# top comment", "# features below", "shell_tool = true # keep me"]) {
      assert.ok(text.includes(kept), `lost ${kept}:\n${text}`);
    }
    assert.match(text, /^model = "o3"/m);

    const num = await f.run(["config", "set", "model_context_window", "128000", ...cwd]);
    assertExit(num, 0, "set integer");
    const newKey = await f.run(["config", "set", "features.web_search_request", "false", ...cwd]);
    assertExit(newKey, 0, "set new key in a table");
    const get = await f.run(["config", "show", "--json", ...cwd]);
    const config = JSON.parse(get.stdout);
    assert.equal(config.model_context_window, 128000);
    assert.deepEqual(config.features, { shell_tool: true, web_search_request: false });

    text = await f.read("home/config.toml");
    const bad = await f.run(["config", "set", "approval_policy", "bogus", ...cwd]);
    assertExit(bad, 1, "set invalid enum");
    assert.match(bad.stderr, /^error: /);
    assert.match(bad.stderr, /unknown variant `bogus`/);
    assert.equal(await f.read("home/config.toml"), text, "a refused write changed the file");

    const leftovers = [...Deno.readDirSync(f.home)].map((e) => e.name).filter((n) =>
      n !== "config.toml"
    );
    assert.deepEqual(leftovers.filter((n) => !n.endsWith(".lock")), [], "temporary files left");
  });
});

Deno.test("config set: concurrent writers all land and the file stays whole", async () => {
  await withFixture(async (f) => {
    await f.write("home/config.toml", "# shared file\n[features]\n");
    const n = 8;
    const outs = await Promise.all(
      Array.from({ length: n }, (_, i) => f.run(["config", "set", `features.f${i}`, "true"])),
    );
    outs.forEach((o, i) => assertExit(o, 0, `writer ${i}`));
    const show = await f.run(["config", "get", "features", "--json", "--cwd", f.project]);
    const features = JSON.parse(show.stdout);
    for (let i = 0; i < n; i++) assert.equal(features[`f${i}`], true, show.stdout);
    assert.ok((await f.read("home/config.toml")).startsWith("# shared file\n"));
  });
});

Deno.test("config set: a project layer that still wins is pointed out", async () => {
  await withFixture(async (f) => {
    await f.write(
      "home/config.toml",
      `[projects.${JSON.stringify(f.project)}]\ntrust_level = "trusted"\n`,
    );
    await f.write("repo/.codex/config.toml", 'model = "project-model"\n');
    const out = await f.run(["config", "set", "model", "mine", "--cwd", f.project]);
    assertExit(out, 0, "set overridden key");
    assert.match(
      out.stderr,
      /^note: project .* also sets model, so the effective value is "project-model"/m,
    );
  });
});

Deno.test("config unset: removes the key and its comment, keeps the rest", async () => {
  await withFixture(async (f) => {
    const file = await f.write(
      "home/config.toml",
      'model_verbosity = "low" # keep\n# about model\nmodel = "gpt-5"\n\n# features\n[features]\nx = true\n',
    );
    const out = await f.run(["config", "unset", "model", "--cwd", f.project]);
    assertExit(out, 0, "unset");
    assert.equal(out.stdout, `unset model (was "gpt-5") in ${file}\n`);
    assert.equal(
      await f.read("home/config.toml"),
      'model_verbosity = "low" # keep\n\n# features\n[features]\nx = true\n',
    );

    const again = await f.run(["config", "unset", "model", "--cwd", f.project]);
    assertExit(again, 0, "unset missing");
    assert.match(again.stdout, /model is not set in .*; nothing to remove/);

    const table = await f.run(["config", "unset", "features", "--cwd", f.project]);
    assertExit(table, 0, "unset a table");
    assert.equal(await f.read("home/config.toml"), 'model_verbosity = "low" # keep\n');
  });
});

Deno.test("config validate: clean config prints ok and exits 0", async () => {
  await withFixture(async (f) => {
    await f.write("home/config.toml", 'model = "gpt-5"\napproval_policy = "never"\n');
    const out = await f.run(["config", "validate", "--cwd", f.project]);
    assertExit(out, 0, "validate clean");
    assert.match(out.stdout, /^ok: 1 file checked, no problems$/m);
  });
});

Deno.test("config validate: every problem rendered with its line and carets, exit 1", async () => {
  await withFixture(async (f) => {
    const file = await f.write(
      "home/config.toml",
      [
        'approval_policy = "bogus"',
        "[features]",
        'collaboration_modes = "true"',
        "[tui]",
        "zzz_unknown = 1",
        "",
      ].join("\n"),
    );
    const sysFile = await f.write("etc-codex/config.toml", "[features\nx = 1\n");
    const out = await f.run(["config", "validate", "--cwd", f.project]);
    assertExit(out, 1, "validate broken");
    const s = out.stdout;
    assert.ok(s.includes(`${sysFile}:1:10: `), s);
    assert.ok(
      s.includes(`${file}:1:19: unknown variant \`bogus\`, expected one of`),
      `missing the first error:\n${s}`,
    );
    assert.ok(
      s.includes(`${file}:3:23: invalid type: string "true", expected a boolean`),
      `missing the second error:\n${s}`,
    );
    assert.match(s, /^3 \| collaboration_modes = "true"$/m);
    assert.match(s, /^ +\| {23}\^{6}$/m);
    assert.match(s, /^1 \| approval_policy = "bogus"$/m);
    assert.match(s, /^ +\| {19}\^{7}$/m);
    assert.match(s, /^warning: .*zzz_unknown/m);
    assert.match(s, /^invalid: 3 errors, 1 warning \(2 files checked\)$/m);
    assert.ok(!s.includes("\x1b["), "colour without a terminal");
  });
});

Deno.test("config validate --strict: unknown keys become errors", async () => {
  await withFixture(async (f) => {
    await f.write("home/config.toml", 'model = "gpt-5"\nmodle = "typo"\n');
    const lax = await f.run(["config", "validate", "--cwd", f.project]);
    assertExit(lax, 0, "validate with an unknown key");
    assert.match(lax.stdout, /^warning: .*modle/m);
    assert.match(lax.stdout, /^ok: 1 file checked, 1 warning; --strict treats unknown keys/m);

    const strict = await f.run(["config", "validate", "--strict", "--cwd", f.project]);
    assertExit(strict, 1, "validate --strict");
    assert.match(strict.stdout, /^error: .*config\.toml:2:\d+: unknown key `modle`$/m);
    assert.match(strict.stdout, /^invalid: 1 error \(1 file checked\)$/m);

    const json = await f.run(["config", "validate", "--strict", "--json", "--cwd", f.project]);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, false);
    assert.equal(report.problems[0].kind, "unknownKey");
    assert.equal(report.problems[0].severity, "error");
  });
});

Deno.test("config validate: reference and requirements problems; get explains a dropped value", async () => {
  await withFixture(async (f) => {
    const file = await f.write(
      "home/config.toml",
      'model_provider = "nope"\n[sandbox_workspace_write]\nwritable_roots = ["/a", 5]\n',
    );
    const req = await f.write(
      "etc-codex/requirements.toml",
      'allowed_sandbox_modes = ["workspace-write"]\n',
    );
    const cwd = ["--cwd", f.project];
    const out = await f.run(["config", "validate", ...cwd]);
    assertExit(out, 1, "validate");
    assert.ok(out.stdout.includes(`${file}:3:25: invalid type: integer \`5\``), out.stdout);
    assert.ok(out.stdout.includes(`${file}:1:18: Model provider \`nope\` not found`), out.stdout);
    assert.ok(out.stdout.includes(`${req}:1:25: invalid value for \`allowed_sandbox_modes\``));
    assert.match(out.stdout, /^invalid: 3 errors \(2 files checked\)$/m);

    const get = await f.run(["config", "get", "sandbox_workspace_write.writable_roots", ...cwd]);
    assertExit(get, 1, "get a dropped value");
    assert.match(
      get.stderr,
      /^note: .*config\.toml sets it to an invalid value, which is ignored/m,
    );

    const origins = await f.run([
      "config",
      "show",
      "--origins",
      "-c",
      'sandbox_workspace_write.writable_roots=["/x"]',
      ...cwd,
    ]);
    assert.match(origins.stdout, /^writable_roots = \["\/x"\] {2}# session flags$/m);
  });
});

Deno.test("config path: every layer file, lowest precedence first, with status", async () => {
  await withFixture(async (f) => {
    await f.write("home/config.toml", "model = 1\n");
    const out = await f.run(["config", "path", "--cwd", f.project]);
    assertExit(out, 0, "path");
    const rows = out.stdout.split("\n").filter((l) => l.startsWith("  "));
    const kinds = rows.map((l) => l.trim().split(/\s+/)[0]);
    assert.deepEqual(kinds, ["system", "user", "project", "managed", "requirements"]);
    assert.match(rows[0]!, new RegExp(`${f.system}/config.toml +missing$`));
    assert.match(rows[1]!, /config.toml +read, 1 problem$/);
    assert.match(rows[4]!, new RegExp(`${f.system}/requirements.toml +missing$`));

    const json = JSON.parse((await f.run(["config", "path", "--json", "--cwd", f.project])).stdout);
    assert.equal(json.projectRoot, f.project);
    assert.equal(json.layers[1].exists, true);
  });
});

Deno.test("app-server --strict-config: refuses unknown keys, starts on a clean config", async () => {
  await withFixture(async (f) => {
    const file = await f.write("home/config.toml", 'model = "gpt-5"\nbogus_key = 1\n');
    const refused = await f.run(["app-server", "--strict-config"]);
    assertExit(refused, 1, "app-server --strict-config");
    assert.equal(refused.stdout, "");
    assert.ok(refused.stderr.includes(`${file}:2:`), refused.stderr);
    assert.match(refused.stderr, /^2 \| bogus_key = 1$/m);
    assert.match(refused.stderr, /^error: refusing to start with --strict-config/m);

    await f.write("home/config.toml", 'model = "gpt-5"\n');
    await withStdio(
      {
        args: ["--strict-config"],
        codexHome: f.home,
        env: { CODEX_SYSTEM_CONFIG_DIR: f.system },
      },
      async (client) => {
        await initExperimental(client);
      },
    );
  });
});
