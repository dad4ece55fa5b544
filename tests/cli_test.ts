/**
 * Black-box tests of the `codex` command line: version and help, argument errors (exit 2,
 * one-line `error: ` reason on stderr), the schema generators, and environment tuning.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./support/server.ts";

/** Runs the CLI and asserts a usage error: exit 2 and this first stderr line. */
async function assertUsageError(args: string[], firstLine: string | RegExp): Promise<void> {
  const out = await runCli(args);
  const line = out.stderr.split("\n")[0]!;
  assert.equal(out.code, 2, `codex ${args.join(" ")}: exit ${out.code}, stderr: ${out.stderr}`);
  assert.equal(out.stdout, "", `codex ${args.join(" ")} wrote to stdout`);
  if (typeof firstLine === "string") assert.equal(line, firstLine, `codex ${args.join(" ")}`);
  else assert.match(line, firstLine, `codex ${args.join(" ")}`);
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "codex-cli-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...await listFiles(join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

Deno.test("cli --version / -V: prints codex-cli 0.105.0 and exits 0", async () => {
  const [long, short] = await Promise.all([runCli(["--version"]), runCli(["-V"])]);
  for (const out of [long, short]) {
    assert.equal(out.code, 0);
    assert.equal(out.stdout, "codex-cli 0.105.0\n");
    assert.equal(out.stderr, "");
  }
});

Deno.test("cli --help: top-level, app-server and generator help exit 0 with usage", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["--help"], /^Usage: codex <COMMAND>/m],
    [["help"], /^Usage: codex <COMMAND>/m],
    [["app-server", "--help"], /^Usage: codex app-server \[OPTIONS\]/m],
    [["app-server", "-h"], /^Usage: codex app-server \[OPTIONS\]/m],
    [["app-server", "help"], /^Usage: codex app-server \[OPTIONS\]/m],
    [
      ["app-server", "generate-json-schema", "--help"],
      /^Usage: codex app-server generate-json-schema --out <DIR>/m,
    ],
    [["app-server", "generate-ts", "--help"], /^Usage: codex app-server generate-ts --out <DIR>/m],
  ];
  const results = await Promise.all(cases.map(([args]) => runCli(args)));
  results.forEach((out, i) => {
    const [args, usage] = cases[i]!;
    assert.equal(out.code, 0, `codex ${args.join(" ")}: ${out.stderr}`);
    assert.match(out.stdout, usage, `codex ${args.join(" ")}`);
    assert.equal(out.stderr, "");
  });
  // The app-server help lists the options users need.
  assert.match(results[2]!.stdout, /--listen <URL>/);
  assert.match(results[2]!.stdout, /generate-json-schema/);
});

Deno.test("cli argument errors: exit 2 with a one-line 'error: ' reason on stderr", async () => {
  const cases: Array<[string[], string | RegExp]> = [
    [["app-server", "--bogus"], "error: unexpected argument '--bogus' found"],
    [["bogus"], /^error: unrecognized subcommand 'bogus'/],
    [["--bogus"], "error: unexpected argument '--bogus' found"],
    [["app-server", "extra"], /^error: unrecognized subcommand 'extra'/],
    [["app-server", "--listen"], /^error: a value is required for '--listen'/],
    [["app-server", "-c"], /^error: a value is required for '--config'/],
    [["app-server", "-c", "foo"], /^error: invalid -c override 'foo': missing '='/],
    [["app-server", "-c", "=x"], /^error: invalid -c override '=x': empty key/],
    [
      ["app-server", "--listen", "foo"],
      "error: invalid value 'foo' for '--listen <URL>': unsupported --listen URL `foo`; expected `stdio://` or `ws://IP:PORT`",
    ],
    [
      ["app-server", "--listen", "STDIO://"],
      /^error: invalid value 'STDIO:\/\/' for '--listen <URL>': unsupported --listen URL/,
    ],
    [
      ["app-server", "--listen", "ws://localhost:1"],
      "error: invalid value 'ws://localhost:1' for '--listen <URL>': invalid websocket --listen URL `ws://localhost:1`; expected `ws://IP:PORT`",
    ],
    [
      ["app-server", "--listen", "ws://127.0.0.1:0/path"],
      /^error: invalid value 'ws:\/\/127\.0\.0\.1:0\/path' for '--listen <URL>': invalid websocket/,
    ],
    [
      ["app-server", "generate-json-schema"],
      "error: the following required arguments were not provided: --out <DIR>",
    ],
    [
      ["app-server", "generate-ts"],
      "error: the following required arguments were not provided: --out <DIR>",
    ],
    [["app-server", "generate-json-schema", "--out"], /^error: a value is required for '--out'/],
    [
      ["app-server", "generate-ts", "--out", "/nonexistent-never", "--bogus"],
      "error: unexpected argument '--bogus' found",
    ],
  ];
  // A few at a time keeps the suite friendly to 2-core machines.
  for (let i = 0; i < cases.length; i += 4) {
    await Promise.all(cases.slice(i, i + 4).map(([args, line]) => assertUsageError(args, line)));
  }
});

Deno.test("cli app-server: a bad CODEX_APP_SERVER_MAX_MESSAGE_BYTES is a usage error", async () => {
  for (const value of ["abc", "0", "-5"]) {
    const out = await runCli(["app-server"], {
      env: { CODEX_APP_SERVER_MAX_MESSAGE_BYTES: value },
    });
    assert.equal(out.code, 2, `value ${value}: ${out.stderr}`);
    assert.equal(
      out.stderr.split("\n")[0],
      `error: CODEX_APP_SERVER_MAX_MESSAGE_BYTES must be a positive integer, got '${value}'`,
    );
  }
});

Deno.test("cli app-server: explicit --listen stdio:// serves and exits 0 on EOF", async () => {
  // runCli gives the server an empty stdin, i.e. immediate EOF.
  const out = await runCli(["app-server", "--listen", "stdio://", "-c", 'model="x"']);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, "");
});

Deno.test("cli app-server: --ws-auth with a stdio listener is refused", async () => {
  await assertUsageError(
    ["app-server", "--ws-auth", "capability-token", "--ws-token-sha256", "a".repeat(64)],
    "error: --ws-auth applies only to a ws:// --listen URL",
  );
});

Deno.test("cli app-server: a non-loopback websocket bind without auth exits 1", async () => {
  const out = await runCli(["app-server", "--listen", "ws://0.0.0.0:0"]);
  assert.equal(out.code, 1);
  assert.match(out.stderr, /^error: refusing to start non-loopback websocket listener/);
});

Deno.test("generate-json-schema: writes the bundle, v1 and v2 schemas as valid JSON", async () => {
  await withTempDir(async (dir) => {
    const out = await runCli(["app-server", "generate-json-schema", "--out", dir]);
    assert.equal(out.code, 0, out.stderr);
    const files = await listFiles(dir);
    for (
      const f of [
        "codex_app_server_protocol.schemas.json",
        "ClientRequest.json",
        "ServerNotification.json",
        "v1/InitializeParams.json",
        "v1/InitializeResponse.json",
        "v2/ThreadStartParams.json",
      ]
    ) {
      assert.ok(files.includes(f), `missing ${f}; got ${files.slice(0, 20).join(", ")}…`);
    }
    assert.match(out.stdout, new RegExp(`^wrote ${files.length} files to `));
    for (const f of files) {
      assert.ok(f.endsWith(".json"), f);
      JSON.parse(await Deno.readTextFile(join(dir, f)));
    }
    const init = JSON.parse(await Deno.readTextFile(join(dir, "v1/InitializeResponse.json")));
    assert.equal(init.title, "InitializeResponse");
    assert.ok(init.properties.userAgent);
    const start = JSON.parse(await Deno.readTextFile(join(dir, "v2/ThreadStartParams.json")));
    assert.equal(start.title, "ThreadStartParams");
    const bundle = JSON.parse(
      await Deno.readTextFile(join(dir, "codex_app_server_protocol.schemas.json")),
    );
    assert.ok(bundle.definitions?.ClientRequest, "bundle lacks definitions.ClientRequest");
  });
});

Deno.test("generate-json-schema: mock/experimentalMethod only with --experimental", async () => {
  await withTempDir(async (dir) => {
    const stable = join(dir, "stable");
    const exp = join(dir, "exp");
    const [a, b] = await Promise.all([
      runCli(["app-server", "generate-json-schema", "--out", stable]),
      runCli(["app-server", "generate-json-schema", "--out", exp, "--experimental"]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const methodsOf = async (root: string) => {
      const schema = JSON.parse(await Deno.readTextFile(join(root, "ClientRequest.json")));
      return new Set<string>(
        schema.oneOf.flatMap((v: { properties: { method: { enum: string[] } } }) =>
          v.properties.method.enum
        ),
      );
    };
    const stableMethods = await methodsOf(stable);
    const expMethods = await methodsOf(exp);
    assert.ok(stableMethods.has("initialize"));
    assert.ok(stableMethods.has("thread/start"));
    assert.ok(!stableMethods.has("mock/experimentalMethod"));
    assert.ok(expMethods.has("mock/experimentalMethod"));
    for (const m of stableMethods) assert.ok(expMethods.has(m), `${m} lost with --experimental`);
    // Experimental fields too.
    const startParams = async (root: string) =>
      JSON.parse(await Deno.readTextFile(join(root, "v2/ThreadStartParams.json")));
    assert.ok(!("mockExperimentalField" in (await startParams(stable)).properties));
    assert.ok("mockExperimentalField" in (await startParams(exp)).properties);
  });
});

Deno.test("generate-ts: writes index.ts and types that type-check", async () => {
  await withTempDir(async (dir) => {
    const stable = join(dir, "stable");
    const exp = join(dir, "exp");
    const [a, b] = await Promise.all([
      runCli(["app-server", "generate-ts", "--out", stable]),
      runCli(["app-server", "generate-ts", "--out", exp, "--experimental"]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const files = await listFiles(stable);
    for (const f of ["index.ts", "ClientRequest.ts", "v2/index.ts", "v2/ThreadStartParams.ts"]) {
      assert.ok(files.includes(f), `missing ${f}`);
    }
    assert.match(a.stdout, new RegExp(`^wrote ${files.length} files to `));
    const clientRequest = (root: string) => Deno.readTextFile(join(root, "ClientRequest.ts"));
    assert.ok(!(await clientRequest(stable)).includes("mock/experimentalMethod"));
    assert.ok((await clientRequest(exp)).includes("mock/experimentalMethod"));
    const check = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--no-config", "--no-lock", "index.ts", "v2/index.ts"],
      cwd: stable,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
  });
});

Deno.test("generate-json-schema: an unwritable --out fails with exit 1 and an error line", async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, "a-file");
    await Deno.writeTextFile(file, "x");
    const out = await runCli(["app-server", "generate-json-schema", "--out", join(file, "sub")]);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /^error: /);
    assert.equal(out.stderr.trimEnd().split("\n").length, 1, out.stderr);
  });
});
