/**
 * Black-box tests of the config API and of `configWarning`: a real server with a temporary
 * CODEX_HOME and system config folder, spoken to over stdio and websockets.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN, ServerProcess } from "./support/server.ts";
import { type Msg, StdioClient, WsClient } from "./support/clients.ts";

interface Setup {
  home: string;
  systemDir: string;
  env: Record<string, string>;
}

/** Runs `fn` with a fresh CODEX_HOME (holding `userToml` if given) and system folder. */
async function withSetup(
  files: { userToml?: string; requirementsToml?: string },
  fn: (s: Setup) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "codex-config-api-" });
  const systemDir = await Deno.makeTempDir({ prefix: "codex-config-system-" });
  try {
    if (files.userToml !== undefined) {
      await Deno.writeTextFile(join(home, "config.toml"), files.userToml);
    }
    if (files.requirementsToml !== undefined) {
      await Deno.writeTextFile(join(systemDir, "requirements.toml"), files.requirementsToml);
    }
    await fn({ home, systemDir, env: { CODEX_SYSTEM_CONFIG_DIR: systemDir } });
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(systemDir, { recursive: true });
  }
}

async function withStdioServer(
  s: Setup,
  args: string[],
  fn: (client: StdioClient, server: ServerProcess) => Promise<void>,
): Promise<void> {
  const server = await ServerProcess.start({ codexHome: s.home, env: s.env, args });
  try {
    await fn(new StdioClient(server), server);
  } finally {
    await server.close();
  }
}

/** Initializes and returns the messages that arrived up to an echo round trip after it. */
async function initAndCollect(
  client: StdioClient | WsClient,
  opts: { optOutNotificationMethods?: string[] } = {},
): Promise<Msg[]> {
  const init = await client.initialize({ experimentalApi: true, ...opts });
  assert.ok(init.result, JSON.stringify(init));
  const from = client.received.indexOf(init);
  const echo = await client.request("mock/experimentalMethod", { value: "alive" });
  assert.deepEqual(echo.result, { echoed: "alive" });
  return client.received.slice(from, client.received.indexOf(echo));
}

const TYPE_ERROR_TOML =
  'model = "gpt-5"\n\n[features]\ncollaboration_modes = "true"\nshell_tool = true\n';

function expectTypeWarning(messages: Msg[], home: string): void {
  const file = join(home, "config.toml");
  assert.ok(messages[0]?.result, "the initialize response comes first");
  assert.deepEqual(messages.slice(1), [{
    method: "configWarning",
    params: {
      summary: "Invalid configuration; ignoring the invalid settings.",
      details: `${file}:4:23: invalid type: string "true", expected a boolean`,
      path: file,
      range: { start: { line: 4, column: 23 }, end: { line: 4, column: 28 } },
    },
  }]);
}

Deno.test("a broken config.toml gives configWarning after initialize; the server keeps working", async () => {
  await withSetup({ userToml: TYPE_ERROR_TOML }, async (s) => {
    await withStdioServer(s, [], async (client, server) => {
      expectTypeWarning(await initAndCollect(client), s.home);
      const read = await client.request("config/read", {});
      assert.equal(read.result.config.model, "gpt-5");
      assert.deepEqual(read.result.config.features, { shell_tool: true });
      assert.match(server.stderr, /ERROR codex_app_server: Invalid configuration; ignoring/);
    });
  });
});

Deno.test("every websocket connection gets the config warnings after its own initialize", async () => {
  await withSetup({ userToml: TYPE_ERROR_TOML }, async (s) => {
    const server = await ServerProcess.start({
      codexHome: s.home,
      env: s.env,
      args: ["--listen", "ws://127.0.0.1:0"],
    });
    try {
      const port = await server.wsPort();
      const a = await WsClient.connect(port);
      const b = await WsClient.connect(port);
      try {
        expectTypeWarning(await initAndCollect(a), s.home);
        expectTypeWarning(await initAndCollect(b), s.home);
        const optedOut = await WsClient.connect(port);
        const got = await initAndCollect(optedOut, {
          optOutNotificationMethods: ["configWarning"],
        });
        assert.equal(got.length, 1, "an opted-out client gets only its initialize response");
        await optedOut.close();
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await server.close();
    }
  });
});

Deno.test("a config.toml that is not TOML is reported with its position; reads still answer", async () => {
  await withSetup({ userToml: "[features\ncollaboration_modes = true\n" }, async (s) => {
    await withStdioServer(s, ["-c", 'model="flag"'], async (client) => {
      const file = join(s.home, "config.toml");
      const [, warning] = await initAndCollect(client);
      assert.deepEqual(warning, {
        method: "configWarning",
        params: {
          summary: "Invalid configuration; ignoring this file.",
          details: `${file}:1:10: unclosed table, expected \`]\``,
          path: file,
          range: { start: { line: 1, column: 10 }, end: { line: 1, column: 10 } },
        },
      });
      const read = await client.request("config/read", { includeLayers: true });
      assert.equal(read.result.config.model, "flag");
      const user = read.result.layers.find((l: { name: { type: string } }) =>
        l.name.type === "user"
      );
      assert.equal(user.disabledReason, `Ignored: ${file}:1:10: unclosed table, expected \`]\``);
      const req = await client.request("configRequirements/read");
      assert.deepEqual(req.result, { requirements: null });
    });
  });
});

Deno.test("config/read reports the effective config, origins and layers highest first", async () => {
  const toml = 'model = "m"\nzzz = 1\n\n[tools]\nweb_search = true\n\n[profiles.p]\nmodel = "pm"\n';
  await withSetup({ userToml: toml }, async (s) => {
    await withStdioServer(s, ["-c", 'model="o3"', "--enable", "shell_tool"], async (client) => {
      assert.equal((await initAndCollect(client)).length, 1, "a valid config gives no warning");
      const plain = await client.request("config/read", {});
      assert.ok(!("layers" in plain.result), "layers are absent unless asked for");
      const { config, origins, layers } = (await client.request("config/read", {
        includeLayers: true,
      })).result;
      assert.deepEqual(Object.keys(config).slice(0, 3), [
        "model",
        "review_model",
        "model_context_window",
      ]);
      assert.equal(config.model, "o3");
      assert.equal(config.review_model, null);
      assert.deepEqual(config.tools, { web_search: true, view_image: null });
      assert.equal(config.profiles.p.model, "pm");
      assert.equal(config.profiles.p.approval_policy, null);
      assert.equal(config.zzz, 1);
      assert.deepEqual(config.features, { shell_tool: true });
      const user = { type: "user", file: join(s.home, "config.toml") };
      assert.deepEqual(layers.map((l: Msg) => l.name), [
        { type: "sessionFlags" },
        user,
        { type: "system", file: join(s.systemDir, "config.toml") },
      ]);
      for (const l of layers) assert.match(l.version, /^sha256:[0-9a-f]{64}$/);
      assert.equal(
        layers[2].version,
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
      );
      assert.deepEqual(layers[0].config, { features: { shell_tool: true }, model: "o3" });
      assert.deepEqual(Object.keys(layers[1].config), ["model", "profiles", "tools", "zzz"]);
      assert.deepEqual(origins.model, {
        name: { type: "sessionFlags" },
        version: layers[0].version,
      });
      assert.deepEqual(origins["tools.web_search"], { name: user, version: layers[1].version });
      assert.deepEqual(origins["profiles.p.model"], { name: user, version: layers[1].version });
    });
  });
});

Deno.test("config writes keep comments on disk, check versions and report overrides", async () => {
  const toml =
    '# my settings\nmodel = "a" # the model\n\n# features\n[features]\nshell_tool = true\n';
  await withSetup({ userToml: toml }, async (s) => {
    await withStdioServer(s, ["-c", 'model="o3"'], async (client) => {
      await initAndCollect(client);
      const file = join(s.home, "config.toml");
      const read = await client.request("config/read", { includeLayers: true });
      const userVersion = read.result.layers[1].version;

      const w1 = await client.request("config/value/write", {
        keyPath: "features.unified_exec",
        value: true,
        mergeStrategy: "replace",
        expectedVersion: userVersion,
      });
      assert.equal(w1.result.status, "ok");
      assert.equal(w1.result.filePath, file);
      assert.equal(w1.result.overriddenMetadata, null);
      assert.equal(await Deno.readTextFile(file), toml + "unified_exec = true\n");

      const stale = await client.request("config/value/write", {
        keyPath: "model",
        value: "b",
        mergeStrategy: "replace",
        expectedVersion: userVersion,
      });
      assert.deepEqual(stale.error, {
        code: -32600,
        message: "Configuration was modified since last read. Fetch latest version and retry.",
        data: { config_write_error_code: "configVersionConflict" },
      });

      const w2 = await client.request("config/value/write", {
        keyPath: "model",
        value: "b",
        mergeStrategy: "replace",
        expectedVersion: w1.result.version,
        filePath: file,
      });
      assert.equal(w2.result.status, "okOverridden");
      assert.equal(w2.result.overriddenMetadata.message, "Overridden by session flags");
      assert.equal(w2.result.overriddenMetadata.effectiveValue, "o3");
      assert.deepEqual(w2.result.overriddenMetadata.overridingLayer.name, { type: "sessionFlags" });
      assert.ok((await Deno.readTextFile(file)).includes('model = "b" # the model'));

      const batch = await client.request("config/batchWrite", {
        edits: [
          { keyPath: "review_model", value: "r", mergeStrategy: "replace" },
          { keyPath: "approval_policy", value: "bogus", mergeStrategy: "replace" },
        ],
      });
      assert.equal(batch.error.code, -32600);
      assert.equal(batch.error.data.config_write_error_code, "configValidationError");
      assert.match(
        batch.error.message,
        /^Invalid configuration: .*bogus.*\nin `approval_policy`\n$/,
      );
      assert.ok(!(await Deno.readTextFile(file)).includes("review_model"), "batch is atomic");

      const readonly = await client.request("config/value/write", {
        keyPath: "model",
        value: "x",
        mergeStrategy: "replace",
        filePath: join(s.systemDir, "config.toml"),
      });
      assert.deepEqual(readonly.error, {
        code: -32600,
        message: "Only writes to the user config are allowed",
        data: { config_write_error_code: "configLayerReadonly" },
      });
      const empty = await client.request("config/value/write", {
        keyPath: "",
        value: "x",
        mergeStrategy: "replace",
      });
      assert.equal(empty.error.message, "keyPath must not be empty");

      const after = await client.request("config/read", {});
      assert.deepEqual(after.result.config.features, { shell_tool: true, unified_exec: true });
    });
  });
});

Deno.test("configRequirements/read reports requirements.toml", async () => {
  const requirementsToml =
    'allowed_approval_policies = ["never", "on-request"]\nallowed_sandbox_modes = ["read-only"]\n';
  await withSetup({ requirementsToml }, async (s) => {
    await withStdioServer(s, [], async (client) => {
      await initAndCollect(client);
      const { requirements } = (await client.request("configRequirements/read")).result;
      assert.deepEqual(requirements.allowedApprovalPolicies, ["never", "on-request"]);
      assert.deepEqual(requirements.allowedSandboxModes, ["read-only"]);
      assert.equal(requirements.allowedWebSearchModes ?? null, null);
    });
  });
});

Deno.test("values replaced by requirements are announced with configWarning at initialize", async () => {
  const requirementsToml = 'allowed_approval_policies = ["on-request"]\n';
  await withSetup({ requirementsToml, userToml: 'approval_policy = "never"\n' }, async (s) => {
    await withStdioServer(s, [], async (client) => {
      const warnings = (await initAndCollect(client)).filter((m) => m.method === "configWarning");
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      const { summary, details } = warnings[0]!.params;
      assert.equal(summary, "Configuration constrained by requirements.");
      assert.match(details, /`approval_policy`.*falling back to required value on-request/);
      assert.ok(details.includes(`(set by ${join(s.systemDir, "requirements.toml")})`), details);
    });
  });
});

Deno.test("disabled project folders of the server's cwd are announced at initialize", async () => {
  await withSetup({}, async (s) => {
    const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "codex-config-proj-" }));
    try {
      await Deno.mkdir(join(root, ".git"));
      await Deno.mkdir(join(root, "sub", ".codex"), { recursive: true });
      await Deno.writeTextFile(join(root, "sub", ".codex", "config.toml"), 'model = "s"\n');
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", MAIN, "app-server"],
        cwd: join(root, "sub"),
        env: { CODEX_HOME: s.home, NO_COLOR: "1", ...s.env },
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const client = new StdioClient({ child } as unknown as ServerProcess);
      try {
        const [, warning] = await initAndCollect(client);
        const user = join(s.home, "config.toml");
        assert.deepEqual(warning, {
          method: "configWarning",
          params: {
            summary:
              "Project config.toml files are disabled in the following folders. Settings in those files are ignored, but skills and exec policies still load.\n" +
              `    1. ${join(root, "sub", ".codex")}\n` +
              `       To load config.toml, add ${root} as a trusted project in ${user}.\n`,
            details: null,
          },
        });
      } finally {
        child.kill("SIGKILL");
        await child.status;
        await child.stdout.cancel().catch(() => {});
        await client.closeInput();
        await client.done;
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
});
