import assert from "node:assert/strict";
import { findHasSideEffects, parseCommandActions, sedPrintFiles } from "./command_actions.ts";

const bash = (script: string) => ["/bin/bash", "-lc", script];

Deno.test("reads: cat, head/tail with -n, sed -n ranges, one action per file", () => {
  assert.deepEqual(parseCommandActions(bash("cat src/main.ts")), [
    { type: "read", command: "cat src/main.ts", name: "main.ts", path: "src/main.ts" },
  ]);
  assert.deepEqual(parseCommandActions(bash("head -n 50 README.md")), [
    { type: "read", command: "head -n 50 README.md", name: "README.md", path: "README.md" },
  ]);
  assert.deepEqual(parseCommandActions(bash("sed -n '10,20p' 'a dir/x.rs'")), [
    {
      type: "read",
      command: "sed -n 10,20p 'a dir/x.rs'",
      name: "x.rs",
      path: "a dir/x.rs",
    },
  ]);
  assert.deepEqual(parseCommandActions(["cat", "a.txt", "b/c.txt"]), [
    { type: "read", command: "cat a.txt b/c.txt", name: "a.txt", path: "a.txt" },
    { type: "read", command: "cat a.txt b/c.txt", name: "c.txt", path: "b/c.txt" },
  ]);
});

Deno.test("listFiles: ls, tree, find, rg --files, fd", () => {
  assert.deepEqual(parseCommandActions(bash("ls -la")), [
    { type: "listFiles", command: "ls -la", path: null },
  ]);
  assert.deepEqual(parseCommandActions(bash("ls -I node_modules src")), [
    { type: "listFiles", command: "ls -I node_modules src", path: "src" },
  ]);
  assert.deepEqual(parseCommandActions(bash("tree -L 2 docs")), [
    { type: "listFiles", command: "tree -L 2 docs", path: "docs" },
  ]);
  assert.deepEqual(parseCommandActions(bash("find src -name '*.ts'")), [
    { type: "listFiles", command: "find src -name '*.ts'", path: "src" },
  ]);
  assert.deepEqual(parseCommandActions(bash("rg --files lib")), [
    { type: "listFiles", command: "rg --files lib", path: "lib" },
  ]);
  assert.deepEqual(parseCommandActions(bash("fd -e ts main src")), [
    { type: "listFiles", command: "fd -e ts main src", path: "src" },
  ]);
});

Deno.test("search: skips flags and their values", () => {
  assert.deepEqual(parseCommandActions(bash("rg -n -i -C 3 --type ts 'fn main' src")), [
    {
      type: "search",
      command: "rg -n -i -C 3 --type ts 'fn main' src",
      query: "fn main",
      path: "src",
    },
  ]);
  assert.deepEqual(parseCommandActions(bash("grep -rn -e TODO -g '*.md' .")).at(0), {
    type: "search",
    command: "grep -rn -e TODO -g '*.md' .",
    query: "TODO",
    // grep has no -g value flag: '*.md' is a path here, '.' the second one.
    path: "*.md",
  });
  assert.deepEqual(parseCommandActions(bash("rg -g '*.rs' -e needle")), [
    { type: "search", command: "rg -g '*.rs' -e needle", query: "needle", path: null },
  ]);
  assert.deepEqual(parseCommandActions(bash("git grep -n foo -- lib")), [
    { type: "search", command: "git grep -n foo -- lib", query: "foo", path: "lib" },
  ]);
  assert.deepEqual(parseCommandActions(bash("rg")), [
    { type: "search", command: "rg", query: null, path: null },
  ]);
});

Deno.test("splits at && ; | and drops cd, true and piped formatters", () => {
  assert.deepEqual(
    parseCommandActions(bash("cd repo && rg -n foo src | head -n 20; cat a.md | wc -l || true")),
    [
      { type: "search", command: "rg -n foo src", query: "foo", path: "src" },
      { type: "read", command: "cat a.md", name: "a.md", path: "a.md" },
    ],
  );
  assert.deepEqual(parseCommandActions(bash("ls\nfind . -type f | sort | uniq")), [
    { type: "listFiles", command: "ls", path: null },
    { type: "listFiles", command: "find . -type f", path: "." },
  ]);
});

Deno.test("any unknown segment makes the whole script one unknown action", () => {
  const cases = [
    "cat a.ts && npm test",
    "echo hi > f",
    "cat $(ls)",
    "cat `ls`",
    "cat 'unbalanced",
    "find . -delete",
    "find . -name x -exec rm {} ;",
    "sed -i 's/a/b/' f",
    "sed -n 's/a/b/p' f",
    "cat",
    "cd dir",
    "wc -l f",
    "head -n 5",
    "fd -x rm",
  ];
  for (const script of cases) {
    assert.deepEqual(parseCommandActions(bash(script)), [{ type: "unknown", command: script }]);
  }
  assert.deepEqual(parseCommandActions(["npm", "run", "build it"]), [
    { type: "unknown", command: "npm run 'build it'" },
  ]);
  assert.deepEqual(parseCommandActions([]), []);
});

Deno.test("a formatter not fed by a pipe, or given a file, is not dropped", () => {
  assert.deepEqual(parseCommandActions(bash("ls | head notes.txt")), [
    { type: "listFiles", command: "ls", path: null },
    { type: "read", command: "head notes.txt", name: "notes.txt", path: "notes.txt" },
  ]);
});

Deno.test("sedPrintFiles accepts only -n with a line print script", () => {
  assert.deepEqual(sedPrintFiles(["-n", "5p", "f"]), ["f"]);
  assert.deepEqual(sedPrintFiles(["-n", "1,$p"]), []);
  assert.deepEqual(sedPrintFiles(["-n", "-e", "3,+4p", "a", "b"]), ["a", "b"]);
  assert.equal(sedPrintFiles(["5p", "f"]), null);
  assert.equal(sedPrintFiles(["-n", "-i", "5p", "f"]), null);
  assert.equal(sedPrintFiles(["-ni", "5p", "f"]), null);
  assert.equal(sedPrintFiles(["-n", "5d", "f"]), null);
  assert.equal(sedPrintFiles(["-n", "1p;w out", "f"]), null);
});

Deno.test("findHasSideEffects spots exec and delete actions", () => {
  assert.equal(findHasSideEffects([".", "-name", "x"]), false);
  assert.equal(findHasSideEffects([".", "-delete"]), true);
  assert.equal(findHasSideEffects([".", "-execdir", "ls", ";"]), true);
  assert.equal(findHasSideEffects([".", "-fprint", "out"]), true);
});
