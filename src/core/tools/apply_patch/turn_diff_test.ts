import assert from "node:assert/strict";
import { TurnDiffTracker } from "./turn_diff.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "turn_diff_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("TurnDiffTracker is null when nothing changed", async () => {
  await withDir(async (dir) => {
    const tracker = new TurnDiffTracker(dir);
    assert.equal(await tracker.diff(), null);
    await Deno.writeTextFile(`${dir}/same.txt`, "x\n");
    tracker.noteBaseline(`${dir}/same.txt`, "x\n");
    tracker.noteBaseline(`${dir}/never.txt`, null);
    assert.equal(await tracker.diff(), null);
  });
});

Deno.test("TurnDiffTracker renders added, modified and deleted files sorted by path", async () => {
  await withDir(async (dir) => {
    const tracker = new TurnDiffTracker(dir);
    tracker.noteBaseline(`${dir}/z.txt`, "a\nb\n");
    tracker.noteBaseline(`${dir}/sub/new.txt`, null);
    tracker.noteBaseline(`${dir}/gone.txt`, "bye\n");
    await Deno.writeTextFile(`${dir}/z.txt`, "a\nc\n");
    await Deno.mkdir(`${dir}/sub`);
    await Deno.writeTextFile(`${dir}/sub/new.txt`, "hi\n");
    assert.equal(
      await tracker.diff(),
      [
        "diff --git a/gone.txt b/gone.txt",
        "deleted file mode 100644",
        "--- a/gone.txt",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-bye",
        "diff --git a/sub/new.txt b/sub/new.txt",
        "new file mode 100644",
        "--- /dev/null",
        "+++ b/sub/new.txt",
        "@@ -0,0 +1 @@",
        "+hi",
        "diff --git a/z.txt b/z.txt",
        "--- a/z.txt",
        "+++ b/z.txt",
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "+c",
        "",
      ].join("\n"),
    );
  });
});

Deno.test("TurnDiffTracker keeps only the first baseline of a path", async () => {
  await withDir(async (dir) => {
    const tracker = new TurnDiffTracker(dir);
    tracker.noteBaseline(`${dir}/f.txt`, "1\n");
    await Deno.writeTextFile(`${dir}/f.txt`, "2\n");
    tracker.noteBaseline(`${dir}/f.txt`, "2\n");
    await Deno.writeTextFile(`${dir}/f.txt`, "3\n");
    assert.equal(
      await tracker.diff(),
      "diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -1 +1 @@\n-1\n+3\n",
    );
  });
});

Deno.test("TurnDiffTracker shows moves as renames, across chained moves", async () => {
  await withDir(async (dir) => {
    const tracker = new TurnDiffTracker(dir);
    await Deno.writeTextFile(`${dir}/a.txt`, "x\ny\n");
    tracker.noteBaseline(`${dir}/a.txt`, "x\ny\n");
    tracker.noteMove(`${dir}/a.txt`, `${dir}/b.txt`);
    await Deno.rename(`${dir}/a.txt`, `${dir}/b.txt`);
    tracker.noteBaseline(`${dir}/b.txt`, "x\ny\n");
    tracker.noteMove(`${dir}/b.txt`, `${dir}/c.txt`);
    await Deno.remove(`${dir}/b.txt`);
    await Deno.writeTextFile(`${dir}/c.txt`, "x\nz\n");
    assert.equal(
      await tracker.diff(),
      "diff --git a/a.txt b/c.txt\nrename from a.txt\nrename to c.txt\n" +
        "--- a/a.txt\n+++ b/c.txt\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n",
    );
  });
});

Deno.test("TurnDiffTracker shows an unchanged rename without hunks", async () => {
  await withDir(async (dir) => {
    const tracker = new TurnDiffTracker(dir);
    await Deno.writeTextFile(`${dir}/a.txt`, "same\n");
    tracker.noteBaseline(`${dir}/a.txt`, "same\n");
    tracker.noteMove(`${dir}/a.txt`, `${dir}/b.txt`);
    await Deno.rename(`${dir}/a.txt`, `${dir}/b.txt`);
    assert.equal(
      await tracker.diff(),
      "diff --git a/a.txt b/b.txt\nrename from a.txt\nrename to b.txt\n",
    );
  });
});

Deno.test("TurnDiffTracker uses absolute paths without the slash outside its root", async () => {
  await withDir(async (dir) => {
    const tracker = new TurnDiffTracker(`${dir}/root`);
    tracker.noteBaseline(`${dir}/out.txt`, null);
    await Deno.writeTextFile(`${dir}/out.txt`, "o\n");
    const shown = dir.replace(/^\/+/, "");
    assert.equal(
      await tracker.diff(),
      `diff --git a/${shown}/out.txt b/${shown}/out.txt\nnew file mode 100644\n` +
        `--- /dev/null\n+++ b/${shown}/out.txt\n@@ -0,0 +1 @@\n+o\n`,
    );
  });
});
