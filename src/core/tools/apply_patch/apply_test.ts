import assert from "node:assert/strict";
import { applyPlan, PatchApplyError, patchSummary, planPatch } from "./apply.ts";
import { parsePatch } from "./parser.ts";

const wrap = (...body: string[]) => ["*** Begin Patch", ...body, "*** End Patch"].join("\n");

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "apply_patch_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Plans and applies a patch in `dir`, returning the summary. */
async function run(dir: string, ...body: string[]): Promise<string> {
  return await applyPlan(await planPatch(parsePatch(wrap(...body)), dir), dir);
}

async function planError(dir: string, ...body: string[]): Promise<string> {
  try {
    await planPatch(parsePatch(wrap(...body)), dir);
  } catch (error) {
    assert.ok(error instanceof PatchApplyError, `unexpected error: ${error}`);
    return error.message;
  }
  assert.fail("expected planPatch to fail");
}

const read = (path: string) => Deno.readTextFile(path);
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("add, delete and update files and report them", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/old.txt`, "bye\n");
    await Deno.writeTextFile(`${dir}/a.txt`, "one\ntwo\nthree\n");
    const summary = await run(
      dir,
      "*** Add File: nested/new.txt",
      "+hello",
      "+world",
      "*** Delete File: old.txt",
      "*** Update File: a.txt",
      "@@",
      " one",
      "-two",
      "+2",
      " three",
    );
    assert.equal(
      summary,
      "Success. Updated the following files:\nA nested/new.txt\nM a.txt\nD old.txt\n",
    );
    assert.equal(await read(`${dir}/nested/new.txt`), "hello\nworld\n");
    assert.equal(await exists(`${dir}/old.txt`), false);
    assert.equal(await read(`${dir}/a.txt`), "one\n2\nthree\n");
    const leftovers = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(leftovers, ["a.txt", "nested"]);
  });
});

Deno.test("planPatch describes changes without writing", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "x\ny\n");
    await Deno.writeTextFile(`${dir}/gone.txt`, "old\n");
    const changes = await planPatch(
      parsePatch(wrap(
        "*** Update File: a.txt",
        "-y",
        "+z",
        "*** Delete File: gone.txt",
        "*** Add File: n.txt",
        "+n",
      )),
      dir,
    );
    assert.deepEqual(changes, [
      {
        path: `${dir}/a.txt`,
        kind: { type: "update", move_path: null },
        diff: "@@ -1,2 +1,2 @@\n x\n-y\n+z\n",
        oldContent: "x\ny\n",
        newContent: "x\nz\n",
      },
      {
        path: `${dir}/gone.txt`,
        kind: { type: "delete" },
        diff: "old\n",
        oldContent: "old\n",
        newContent: null,
      },
      {
        path: `${dir}/n.txt`,
        kind: { type: "add" },
        diff: "n\n",
        oldContent: null,
        newContent: "n\n",
      },
    ]);
    assert.equal(await read(`${dir}/a.txt`), "x\ny\n");
    assert.equal(await exists(`${dir}/n.txt`), false);
  });
});

Deno.test("update with a move writes the new path and removes the old one", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "keep\nold\n");
    const changes = await planPatch(
      parsePatch(wrap("*** Update File: a.txt", "*** Move to: sub/b.txt", " keep", "-old", "+new")),
      dir,
    );
    assert.deepEqual(changes[0]?.kind, { type: "update", move_path: `${dir}/sub/b.txt` });
    assert.equal(
      await applyPlan(changes, dir),
      "Success. Updated the following files:\nM sub/b.txt\n",
    );
    assert.equal(await exists(`${dir}/a.txt`), false);
    assert.equal(await read(`${dir}/sub/b.txt`), "keep\nnew\n");
  });
});

Deno.test("several chunks apply in order, after their context lines", async () => {
  await withDir(async (dir) => {
    const source = [
      "function a() {",
      "  return 1;",
      "}",
      "function b() {",
      "  return 1;",
      "}",
      "",
    ].join("\n");
    await Deno.writeTextFile(`${dir}/f.ts`, source);
    await run(
      dir,
      "*** Update File: f.ts",
      "@@ function b() {",
      "-  return 1;",
      "+  return 2;",
      "@@",
      " }",
      "+// end",
    );
    assert.equal(
      await read(`${dir}/f.ts`),
      "function a() {\n  return 1;\n}\nfunction b() {\n  return 2;\n}\n// end\n",
    );
  });
});

Deno.test("end-of-file chunks match the last occurrence; pure insertions append", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/f.txt`, "x\nend\nx\nend\n");
    await run(dir, "*** Update File: f.txt", "@@", "-x", "-end", "+last", "*** End of File");
    assert.equal(await read(`${dir}/f.txt`), "x\nend\nlast\n");
    await run(dir, "*** Update File: f.txt", "@@", "+appended");
    assert.equal(await read(`${dir}/f.txt`), "x\nend\nlast\nappended\n");
    await run(dir, "*** Update File: f.txt", "@@ x", "+after x");
    assert.equal(await read(`${dir}/f.txt`), "x\nafter x\nend\nlast\nappended\n");
  });
});

Deno.test("matching tolerates whitespace and typographic punctuation", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/w.txt`, "  indented   \nsay \u201chi\u201d \u2014 ok\nend");
    await run(
      dir,
      "*** Update File: w.txt",
      "-indented",
      '-say "hi" - ok',
      "+fixed",
      " end",
    );
    // The result always ends with a newline.
    assert.equal(await read(`${dir}/w.txt`), "fixed\nend\n");
  });
});

Deno.test("a trailing empty context line may stand for the final newline", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/t.txt`, "a\nb\n");
    await run(dir, "*** Update File: t.txt", " a", "-b", "+c", "");
    assert.equal(await read(`${dir}/t.txt`), "a\nc\n");
  });
});

Deno.test("CRLF files keep their line endings", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/c.txt`, "a\r\nb\r\n");
    await run(dir, "*** Update File: c.txt", " a", "-b", "+c");
    assert.equal(await read(`${dir}/c.txt`), "a\r\nc\r\n");
  });
});

Deno.test("hunks on the same file compose", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "1\n2\n");
    const changes = await planPatch(
      parsePatch(wrap(
        "*** Update File: a.txt",
        "-1",
        "+one",
        "*** Update File: a.txt",
        "-2",
        "+two",
        "*** Update File: a.txt",
        "*** Move to: b.txt",
        "-one",
        "+uno",
        "*** Update File: b.txt",
        "+three",
      )),
      dir,
    );
    assert.equal(changes[1]?.oldContent, "one\n2\n");
    assert.equal(changes[3]?.oldContent, "uno\ntwo\n");
    await applyPlan(changes, dir);
    assert.equal(await read(`${dir}/b.txt`), "uno\ntwo\nthree\n");
    assert.equal(await exists(`${dir}/a.txt`), false);
  });
});

Deno.test("adding an existing file overwrites it and keeps its old content", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "before\n");
    const changes = await planPatch(parsePatch(wrap("*** Add File: a.txt", "+after")), dir);
    assert.deepEqual(changes[0]?.kind, { type: "add" });
    assert.equal(changes[0]?.oldContent, "before\n");
    await applyPlan(changes, dir);
    assert.equal(await read(`${dir}/a.txt`), "after\n");
  });
});

Deno.test("updates keep the file's permissions", async () => {
  if (Deno.build.os === "windows") return;
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/run.sh`, "echo a\n");
    await Deno.chmod(`${dir}/run.sh`, 0o755);
    await run(dir, "*** Update File: run.sh", "-echo a", "+echo b");
    assert.equal((await Deno.stat(`${dir}/run.sh`)).mode! & 0o777, 0o755);
  });
});

Deno.test("missing files, context and lines are reported clearly", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "one\ntwo\n");
    assert.equal(
      await planError(dir, "*** Update File: nope.txt", "-x"),
      "failed to read nope.txt: No such file or directory",
    );
    assert.equal(
      await planError(dir, "*** Delete File: sub/nope.txt"),
      "failed to read sub/nope.txt: No such file or directory",
    );
    assert.equal(
      await planError(dir, "*** Update File: a.txt", "@@ missing()", "-one"),
      "Failed to find context 'missing()' in a.txt",
    );
    assert.equal(
      await planError(dir, "*** Update File: a.txt", " one", "-three", "+3"),
      "Failed to find expected lines in a.txt:\none\nthree",
    );
    // Chunks are searched in order: an earlier match cannot be reused.
    assert.equal(
      await planError(dir, "*** Update File: a.txt", "-two", "+2", "@@", "-one", "+1"),
      "Failed to find expected lines in a.txt:\none",
    );
    // A file deleted earlier in the same patch no longer exists for later hunks.
    assert.equal(
      await planError(dir, "*** Delete File: a.txt", "*** Update File: a.txt", "-one"),
      "failed to read a.txt: No such file or directory",
    );
    assert.equal(await read(`${dir}/a.txt`), "one\ntwo\n");
  });
});

Deno.test("applyPlan reports write failures", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/blocker`, "file, not a directory\n");
    const changes = await planPatch(parsePatch(wrap("*** Add File: blocker/x.txt", "+x")), dir);
    await assert.rejects(applyPlan(changes, dir), (error: unknown) => {
      assert.ok(error instanceof PatchApplyError);
      assert.match(error.message, /^failed to write blocker\/x\.txt: /);
      return true;
    });
  });
});

Deno.test("patchSummary shows paths outside cwd as absolute and lists each once", () => {
  const summary = patchSummary([
    {
      path: "/w/a.txt",
      kind: { type: "update", move_path: null },
      diff: "",
      oldContent: "",
      newContent: "",
    },
    {
      path: "/w/a.txt",
      kind: { type: "update", move_path: null },
      diff: "",
      oldContent: "",
      newContent: "",
    },
    {
      path: "/elsewhere/b.txt",
      kind: { type: "delete" },
      diff: "",
      oldContent: "",
      newContent: null,
    },
    { path: "/w/d/c.txt", kind: { type: "add" }, diff: "", oldContent: null, newContent: "" },
  ], "/w");
  assert.equal(
    summary,
    "Success. Updated the following files:\nA d/c.txt\nM a.txt\nD /elsewhere/b.txt\n",
  );
});
