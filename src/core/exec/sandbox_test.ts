import assert from "node:assert/strict";
import {
  looksSandboxDenied,
  probeBwrap,
  type SandboxSpec,
  sandboxSpecOf,
  SandboxUnavailableError,
  wrapArgv,
} from "./sandbox.ts";

function workspaceWrite(over: Record<string, unknown> = {}) {
  return {
    type: "workspaceWrite" as const,
    writableRoots: [] as string[],
    networkAccess: false,
    excludeTmpdirEnvVar: false,
    excludeSlashTmp: false,
    readOnlyAccess: { type: "fullAccess" as const },
    ...over,
  };
}

async function run(argv: string[], spec: SandboxSpec, cwd = "/"): Promise<Deno.CommandOutput> {
  const probe = await probeBwrap();
  assert.ok(probe.ok, "bwrap must work in this environment");
  const full = wrapArgv(argv, spec, probe.path, cwd);
  return await new Deno.Command(full[0] as string, { args: full.slice(1) }).output();
}

Deno.test("sandboxSpecOf: none, readOnly", () => {
  const opts = { cwd: "/", codexHome: "/nonexistent", env: {} };
  assert.deepEqual(sandboxSpecOf({ type: "dangerFullAccess" }, opts), { kind: "none" });
  assert.deepEqual(
    sandboxSpecOf({ type: "externalSandbox", networkAccess: "enabled" }, opts),
    { kind: "none" },
  );
  assert.deepEqual(
    sandboxSpecOf({ type: "readOnly", access: { type: "fullAccess" } }, opts),
    { kind: "readOnly", network: false },
  );
});

Deno.test("sandboxSpecOf: workspaceWrite roots and protected subpaths", async () => {
  const ws = await Deno.realPath(await Deno.makeTempDir());
  const extra = await Deno.realPath(await Deno.makeTempDir());
  const tmpdir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${ws}/.git`);
    await Deno.mkdir(`${ws}/home`);
    const spec = sandboxSpecOf(
      workspaceWrite({ writableRoots: [extra, `${ws}/`, "/does/not/exist"], networkAccess: true }),
      { cwd: ws, codexHome: `${ws}/home`, env: { TMPDIR: tmpdir } },
    );
    assert.deepEqual(spec, {
      kind: "workspaceWrite",
      writableRoots: [ws, extra, "/tmp", tmpdir],
      readOnlySubpaths: [`${ws}/.git`, `${ws}/home`],
      network: true,
    });
    const narrow = sandboxSpecOf(
      workspaceWrite({ excludeSlashTmp: true, excludeTmpdirEnvVar: true }),
      { cwd: ws, codexHome: "/nonexistent", env: { TMPDIR: tmpdir } },
    );
    assert.deepEqual(narrow, {
      kind: "workspaceWrite",
      writableRoots: [ws],
      readOnlySubpaths: [`${ws}/.git`],
      network: false,
    });
  } finally {
    for (const d of [ws, extra, tmpdir]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("wrapArgv: none is unchanged; binds ordered so read-only subpaths win", () => {
  assert.deepEqual(wrapArgv(["ls", "-l"], { kind: "none" }, "/usr/bin/bwrap", "/"), ["ls", "-l"]);
  const argv = wrapArgv(
    ["ls"],
    { kind: "workspaceWrite", writableRoots: ["/w"], readOnlySubpaths: ["/w/.git"], network: true },
    "/usr/bin/bwrap",
    "/w",
  );
  assert.equal(argv[0], "/usr/bin/bwrap");
  assert.ok(argv.includes("--die-with-parent"));
  assert.ok(!argv.includes("--unshare-net"));
  assert.ok(!argv.includes("--new-session"));
  const bind = argv.indexOf("--bind");
  const ro = argv.lastIndexOf("--ro-bind");
  assert.ok(argv.indexOf("--ro-bind") < bind && bind < ro);
  assert.deepEqual(argv.slice(-4), ["--chdir", "/w", "--", "ls"]);
  const ro2 = wrapArgv(["true"], { kind: "readOnly", network: false }, "b", "/");
  assert.ok(ro2.includes("--unshare-net"));
});

Deno.test("looksSandboxDenied heuristic", () => {
  const ro: SandboxSpec = { kind: "readOnly", network: false };
  assert.equal(looksSandboxDenied(ro, 1, "touch: cannot touch 'x': Read-only file system"), true);
  assert.equal(looksSandboxDenied(ro, 0, "Read-only file system"), false);
  assert.equal(looksSandboxDenied({ kind: "none" }, 1, "Permission denied"), false);
  assert.equal(looksSandboxDenied(ro, 6, "curl: (6) Could not resolve host: x"), true);
  assert.equal(looksSandboxDenied(ro, 1, "error: file not found"), false);
});

Deno.test("probeBwrap: cached, and a clear reason when bwrap is missing", async () => {
  const a = probeBwrap();
  assert.equal(a, probeBwrap());
  assert.deepEqual(await a, { ok: true, path: "/usr/bin/bwrap" });
  const missing = await probeBwrap({ PATH: "/nonexistent" });
  assert.equal(missing.ok, false);
  if (!missing.ok) {
    assert.match(missing.reason, /bubblewrap/);
    assert.match(missing.reason, /danger-full-access/);
  }
  const broken = await probeBwrap({ CODEX_BWRAP_PATH: "/bin/false", PATH: "/usr/bin:/bin" });
  assert.equal(broken.ok, false);
  assert.match(new SandboxUnavailableError("x").message, /Install the `bubblewrap` package/);
});

Deno.test("bwrap: /dev usable and /tmp read-only in readOnly", async () => {
  const out = await run(
    ["bash", "-c", "echo ok > /dev/null && echo devok; touch /tmp/codex-ro-probe-$$"],
    { kind: "readOnly", network: false },
  );
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.match(stdout, /devok/);
  assert.notEqual(out.code, 0);
  assert.match(stderr, /Read-only file system/);
});

Deno.test("bwrap: workspaceWrite writes /tmp and the workspace, not .git", async () => {
  const ws = await Deno.realPath(await Deno.makeTempDir({ dir: "/var/tmp" }));
  try {
    await Deno.mkdir(`${ws}/.git`);
    const spec = sandboxSpecOf(workspaceWrite(), { cwd: ws, codexHome: "/nonexistent", env: {} });
    const marker = `/tmp/codex-ww-probe-${crypto.randomUUID()}`;
    const ok = await run(["bash", "-c", `touch ${marker} && touch in-ws`], spec, ws);
    assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
    assert.ok((await Deno.stat(marker)).isFile);
    assert.ok((await Deno.stat(`${ws}/in-ws`)).isFile);
    await Deno.remove(marker);
    const denied = await run(["touch", ".git/config"], spec, ws);
    assert.notEqual(denied.code, 0);
    const outside = await run(["touch", "/var/tmp/codex-ww-outside"], spec, ws);
    assert.notEqual(outside.code, 0);
  } finally {
    await Deno.remove(ws, { recursive: true });
  }
});
