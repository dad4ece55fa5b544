import assert from "node:assert/strict";
import { extractPatchFromShell, parsePatch, PatchParseError } from "./parser.ts";

const wrap = (...body: string[]) => ["*** Begin Patch", ...body, "*** End Patch"].join("\n");

function parseError(text: string): string {
  try {
    parsePatch(text);
  } catch (error) {
    assert.ok(error instanceof PatchParseError, `unexpected error type: ${error}`);
    return error.message;
  }
  assert.fail("expected a parse error");
}

Deno.test("parsePatch reads add, delete and update sections", () => {
  const hunks = parsePatch(wrap(
    "*** Add File: path/new.txt",
    "+line one",
    "+line two",
    "*** Delete File: path/old.txt",
    "*** Update File: src/a.ts",
    "*** Move to: src/b.ts",
    "@@ function f() {",
    " keep",
    "-old",
    "+new",
    "@@",
    " tail",
    "+more",
    "*** End of File",
  ));
  assert.deepEqual(hunks, [
    { type: "add", path: "path/new.txt", contents: "line one\nline two\n" },
    { type: "delete", path: "path/old.txt" },
    {
      type: "update",
      path: "src/a.ts",
      movePath: "src/b.ts",
      chunks: [
        {
          context: "function f() {",
          oldLines: ["keep", "old"],
          newLines: ["keep", "new"],
          isEndOfFile: false,
        },
        { context: null, oldLines: ["tail"], newLines: ["tail", "more"], isEndOfFile: true },
      ],
    },
  ]);
});

Deno.test("parsePatch tolerates surrounding whitespace, a missing first @@ and empty lines", () => {
  const text = `\n\n  ${wrap("*** Update File: a.txt", " one", "", "-two", "+2")}\n  \n`;
  assert.deepEqual(parsePatch(text), [{
    type: "update",
    path: "a.txt",
    movePath: null,
    chunks: [{
      context: null,
      oldLines: ["one", "", "two"],
      newLines: ["one", "", "2"],
      isEndOfFile: false,
    }],
  }]);
});

Deno.test("parsePatch accepts an empty add, absolute paths and CRLF line ends", () => {
  const hunks = parsePatch(
    wrap("*** Add File: /tmp/x.txt", "*** Delete File: b").replaceAll("\n", "\r\n"),
  );
  assert.deepEqual(hunks, [
    { type: "add", path: "/tmp/x.txt", contents: "" },
    { type: "delete", path: "b" },
  ]);
});

Deno.test("parsePatch strips a heredoc wrapper around the patch", () => {
  const hunks = parsePatch(`<<'EOF'\n${wrap("*** Delete File: gone.txt")}\nEOF\n`);
  assert.deepEqual(hunks, [{ type: "delete", path: "gone.txt" }]);
});

Deno.test("parsePatch reports a missing envelope", () => {
  assert.equal(
    parseError("*** Add File: a\n+x\n*** End Patch"),
    "invalid patch: the first line must be '*** Begin Patch'",
  );
  assert.equal(parseError(""), "invalid patch: the first line must be '*** Begin Patch'");
  assert.equal(
    parseError("*** Begin Patch\n*** Add File: a\n+x"),
    "invalid patch: the last line must be '*** End Patch'",
  );
  assert.equal(
    parseError("*** Begin Patch"),
    "invalid patch: the last line must be '*** End Patch'",
  );
});

Deno.test("parsePatch reports an unknown header with its line number", () => {
  assert.equal(
    parseError(wrap("*** Add File: a", "+x", "*** Delete File: b", "foo")),
    "invalid patch: line 5: expected a hunk header ('*** Add File: ', '*** Delete File: ' or " +
      "'*** Update File: '), got 'foo'",
  );
});

Deno.test("parsePatch reports empty updates, empty patches and empty paths", () => {
  assert.equal(
    parseError(wrap("*** Update File: a.txt")),
    "invalid patch: update hunk for 'a.txt' is empty",
  );
  assert.equal(
    parseError(wrap("*** Update File: a.txt", "*** Move to: b.txt")),
    "invalid patch: update hunk for 'a.txt' is empty",
  );
  assert.equal(parseError(wrap()), "invalid patch: no files to change");
  assert.equal(
    parseError(wrap("*** Add File:  ", "+x")),
    "invalid patch: line 2: missing path after '*** Add File:'",
  );
});

Deno.test("parsePatch reports bad lines inside an update", () => {
  assert.equal(
    parseError(wrap("*** Update File: a.txt", "@@", " x", "oops")),
    "invalid patch: line 5: unexpected line in update hunk for 'a.txt': 'oops' " +
      "(lines must start with ' ', '+', '-' or '@@')",
  );
  assert.equal(
    parseError(wrap("*** Update File: a.txt", "@@ ctx", "@@", "+x")),
    "invalid patch: line 3: chunk in update hunk for 'a.txt' has no lines",
  );
});

const PATCH = wrap("*** Add File: x.txt", "+hi");

Deno.test("extractPatchFromShell finds heredoc invocations in all quoting styles", () => {
  for (const open of ["<<'EOF'", "<<EOF", '<<"EOF"', "<< 'PATCH'"]) {
    const delimiter = open.replace(/[<'" ]/g, "");
    const found = extractPatchFromShell(`apply_patch ${open}\n${PATCH}\n${delimiter}\n`);
    assert.deepEqual(found, { patch: PATCH, cd: null }, open);
  }
  assert.deepEqual(extractPatchFromShell(`applypatch <<'EOF'\n${PATCH}\nEOF`), {
    patch: PATCH,
    cd: null,
  });
});

Deno.test("extractPatchFromShell keeps the directory of a leading cd", () => {
  assert.deepEqual(extractPatchFromShell(`cd some/dir && apply_patch <<'EOF'\n${PATCH}\nEOF\n`), {
    patch: PATCH,
    cd: "some/dir",
  });
  assert.deepEqual(
    extractPatchFromShell(`cd 'with space' && apply_patch <<'EOF'\n${PATCH}\nEOF\n`)?.cd,
    "with space",
  );
});

Deno.test("extractPatchFromShell accepts a single-quoted patch argument", () => {
  assert.deepEqual(extractPatchFromShell(`apply_patch '${PATCH}'`), { patch: PATCH, cd: null });
});

Deno.test("extractPatchFromShell rejects other scripts", () => {
  const rejected = [
    "echo apply_patch",
    "ls -la",
    `apply_patch <<'EOF'\n${PATCH}\nEOF\necho done\n`,
    `apply_patch <<'EOF'\n${PATCH}\n`,
    `apply_patch <<'EOF' && rm -rf x\n${PATCH}\nEOF\n`,
    `cd a; apply_patch <<'EOF'\n${PATCH}\nEOF\n`,
    `apply_patchx <<'EOF'\n${PATCH}\nEOF\n`,
    `apply_patch '${PATCH}' extra`,
  ];
  for (const script of rejected) assert.equal(extractPatchFromShell(script), null, script);
});
