import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";
import { RpcError } from "../jsonrpc/errors.ts";
import type { ConfigProblem, TomlTable } from "./types.ts";
import { type ConfigEditRequest, writeUserConfig } from "./edit.ts";
import { layerVersion } from "./version.ts";
import { parseToml } from "./toml_read.ts";

const set = (keyPath: string, value: unknown): ConfigEditRequest => ({
  keyPath,
  value,
  mergeStrategy: "replace",
});

/** A stand-in validator: `approval_policy` must be one of two words. */
function validate(table: TomlTable): ConfigProblem[] {
  const v = table.approval_policy;
  if (v === undefined || v === "never" || v === "on-request") return [];
  return [{
    kind: "type",
    file: null,
    range: null,
    keyPath: "approval_policy",
    message: `unknown variant \`${String(v)}\`, expected \`never\` or \`on-request\``,
  }];
}

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "codex-edit-test-" });
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function writeError(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RpcError, String(err));
    return [err.message, (err.data as Record<string, string>).config_write_error_code!];
  }
  return assert.fail("expected the write to fail");
}

Deno.test("writeUserConfig() creates config.toml and returns its version", async () => {
  await withHome(async (home) => {
    const out = await writeUserConfig({ codexHome: home, edits: [set("model", "o3")], validate });
    assert.equal(out.filePath, join(home, "config.toml"));
    assert.equal(await Deno.readTextFile(out.filePath), 'model = "o3"\n');
    assert.deepEqual(out.table, { model: "o3" });
    assert.equal(out.version, layerVersion({ model: "o3" }));
    const entries = [...Deno.readDirSync(home)].map((e) => e.name).sort();
    assert.deepEqual(entries, ["config.toml"], "no temp or lock file is left behind");
  });
});

Deno.test("writeUserConfig() keeps comments and refuses a stale expectedVersion", async () => {
  await withHome(async (home) => {
    const file = join(home, "config.toml");
    await Deno.writeTextFile(file, '# mine\nmodel = "a" # note\n');
    const v1 = layerVersion(parseToml(await Deno.readTextFile(file), file).table);
    const out = await writeUserConfig({
      codexHome: home,
      edits: [set("model", "b")],
      expectedVersion: v1,
      validate,
    });
    assert.equal(await Deno.readTextFile(file), '# mine\nmodel = "b" # note\n');
    const stale = writeUserConfig({
      codexHome: home,
      edits: [set("model", "c")],
      expectedVersion: v1,
      validate,
    });
    assert.deepEqual(await writeError(stale), [
      "Configuration was modified since last read. Fetch latest version and retry.",
      "configVersionConflict",
    ]);
    assert.equal(await Deno.readTextFile(file), '# mine\nmodel = "b" # note\n');
    await writeUserConfig({
      codexHome: home,
      edits: [set("model", "c")],
      expectedVersion: out.version,
      validate,
    });
    assert.equal(await Deno.readTextFile(file), '# mine\nmodel = "c" # note\n');
  });
});

Deno.test("writeUserConfig() leaves the file untouched when validation fails, batch included", async () => {
  await withHome(async (home) => {
    const file = join(home, "config.toml");
    await Deno.writeTextFile(file, 'model = "a"\n');
    const bad = writeUserConfig({
      codexHome: home,
      edits: [set("model", "m1"), set("approval_policy", "bogus")],
      validate,
    });
    assert.deepEqual(await writeError(bad), [
      "Invalid configuration: unknown variant `bogus`, expected `never` or `on-request`\nin `approval_policy`\n",
      "configValidationError",
    ]);
    assert.equal(await Deno.readTextFile(file), 'model = "a"\n');
  });
});

Deno.test("writeUserConfig() lets an unrelated write through a problem the file already had", async () => {
  await withHome(async (home) => {
    const file = join(home, "config.toml");
    await Deno.writeTextFile(file, 'approval_policy = "bogus"\n');
    await writeUserConfig({ codexHome: home, edits: [set("model", "x")], validate });
    assert.equal(await Deno.readTextFile(file), 'approval_policy = "bogus"\nmodel = "x"\n');
    await writeUserConfig({ codexHome: home, edits: [set("approval_policy", "never")], validate });
    assert.equal(await Deno.readTextFile(file), 'approval_policy = "never"\nmodel = "x"\n');
  });
});

Deno.test("writeUserConfig() refuses to edit a file that is not valid TOML", async () => {
  await withHome(async (home) => {
    const file = join(home, "config.toml");
    await Deno.writeTextFile(file, "[features\n");
    const [message, code] = await writeError(
      writeUserConfig({ codexHome: home, edits: [set("model", "x")], validate }),
    );
    assert.equal(code, "configValidationError");
    assert.match(message, /not valid TOML: .*config\.toml:1:10: /);
    assert.equal(await Deno.readTextFile(file), "[features\n");
  });
});

Deno.test("writeUserConfig() serialises 50 concurrent writers in one process", async () => {
  await withHome(async (home) => {
    await Deno.writeTextFile(join(home, "config.toml"), "# keep me\n[features]\n");
    await Promise.all(
      Array.from(
        { length: 50 },
        (_, i) => writeUserConfig({ codexHome: home, edits: [set(`features.f${i}`, i)], validate }),
      ),
    );
    const text = await Deno.readTextFile(join(home, "config.toml"));
    assert.ok(text.startsWith("# keep me\n[features]\n"));
    const features = parse(text).features as Record<string, number>;
    for (let i = 0; i < 50; i++) assert.equal(features[`f${i}`], i);
  });
});

Deno.test("writeUserConfig() serialises writers in several processes", async () => {
  await withHome(async (home) => {
    const editUrl = new URL("./edit.ts", import.meta.url).href;
    const script = `
      import { writeUserConfig } from ${JSON.stringify(editUrl)};
      const [home, tag] = Deno.args;
      await Promise.all(Array.from({ length: 20 }, (_, i) => writeUserConfig({
        codexHome: home,
        edits: [{ keyPath: \`w.\${tag}_\${i}\`, value: i, mergeStrategy: "replace" }],
        validate: () => [],
      })));
    `;
    const scriptPath = join(home, "writer.ts");
    await Deno.writeTextFile(scriptPath, script);
    const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
    const outs = await Promise.all(["a", "b", "c"].map((tag) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", "--config", config, scriptPath, home, tag],
        stdout: "piped",
        stderr: "piped",
      }).output()
    ));
    for (const o of outs) assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
    const w = parse(await Deno.readTextFile(join(home, "config.toml"))).w as Record<string, number>;
    for (const tag of ["a", "b", "c"]) {
      for (let i = 0; i < 20; i++) assert.equal(w[`${tag}_${i}`], i, `${tag}_${i} missing`);
    }
  });
});

Deno.test("writeUserConfig() takes over a lock left by a crashed writer", async () => {
  await withHome(async (home) => {
    const lock = join(home, "config.toml.lock");
    await Deno.writeTextFile(lock, "12345\n");
    const old = new Date(Date.now() - 60_000);
    await Deno.utime(lock, old, old);
    await writeUserConfig({ codexHome: home, edits: [set("model", "x")], validate });
    assert.equal(await Deno.readTextFile(join(home, "config.toml")), 'model = "x"\n');
    await assert.rejects(Deno.stat(lock), Deno.errors.NotFound);
  });
});

Deno.test("writeUserConfig() writes through a symlinked config.toml and keeps its mode", async () => {
  await withHome(async (home) => {
    const real = join(home, "dotfiles.toml");
    await Deno.writeTextFile(real, "a = 1\n", { mode: 0o640 });
    await Deno.chmod(real, 0o640);
    await Deno.symlink(real, join(home, "config.toml"));
    await writeUserConfig({ codexHome: home, edits: [set("b", 2)], validate });
    assert.ok((await Deno.lstat(join(home, "config.toml"))).isSymlink);
    assert.equal(await Deno.readTextFile(real), "a = 1\nb = 2\n");
    assert.equal((await Deno.stat(real)).mode! & 0o777, 0o640);
  });
});
