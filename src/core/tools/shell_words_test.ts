import assert from "node:assert/strict";
import {
  commandName,
  commandSegments,
  parseOptions,
  shellJoin,
  shellQuote,
  shellScriptOf,
  shellSplit,
  splitScript,
  splitScriptLoose,
  splitScriptSegments,
} from "./shell_words.ts";

Deno.test("shellSplit splits on whitespace and honours quotes and escapes", () => {
  assert.deepEqual(shellSplit("ls -la  /tmp"), ["ls", "-la", "/tmp"]);
  assert.deepEqual(shellSplit(`echo 'a b' "c d" e\\ f`), ["echo", "a b", "c d", "e f"]);
  assert.deepEqual(shellSplit(`say "x \\"y\\" \\$z \\n"`), ["say", `x "y" $z \\n`]);
  assert.deepEqual(shellSplit(`a'b'"c"d`), ["abcd"]);
  assert.deepEqual(shellSplit(`'' ""`), ["", ""]);
  assert.deepEqual(shellSplit("a\\\nb\nc"), ["ab", "c"]);
  assert.deepEqual(shellSplit("  "), []);
  // No operator recognition and no expansion.
  assert.deepEqual(shellSplit("a&&b $(x) `y`"), ["a&&b", "$(x)", "`y`"]);
  assert.deepEqual(shellSplit(`'it''s'`), ["its"]);
});

Deno.test("shellSplit returns null on unbalanced quotes", () => {
  assert.equal(shellSplit("echo 'oops"), null);
  assert.equal(shellSplit(`echo "oops`), null);
  assert.equal(shellSplit(`echo "a\\"`), null);
});

Deno.test("shellQuote quotes only when needed, like shlex.quote", () => {
  assert.equal(shellQuote("abc-1.2/x_y@z%+=:,"), "abc-1.2/x_y@z%+=:,");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's"), `'it'"'"'s'`);
  assert.equal(shellQuote("$HOME"), "'$HOME'");
  assert.equal(shellQuote("*.ts"), "'*.ts'");
});

Deno.test("shellJoin round-trips through shellSplit", () => {
  const argv = ["grep", "-n", 'it\'s a "test"', "", "a\\b", "x y", "ünï"];
  const line = shellJoin(argv);
  assert.equal(shellJoin(["ls", "-la"]), "ls -la");
  assert.deepEqual(shellSplit(line), argv);
});

Deno.test("shellScriptOf recognises shell wrappers only", () => {
  assert.equal(shellScriptOf(["/bin/bash", "-lc", "ls"]), "ls");
  assert.equal(shellScriptOf(["bash", "-c", "a && b"]), "a && b");
  assert.equal(shellScriptOf(["zsh", "-lc", "pwd"]), "pwd");
  assert.equal(shellScriptOf(["/usr/bin/sh", "-c", "x"]), "x");
  assert.equal(shellScriptOf(["bash", "-x", "ls"]), null);
  assert.equal(shellScriptOf(["bash", "-lc"]), null);
  assert.equal(shellScriptOf(["bash", "-lc", "ls", "extra"]), null);
  assert.equal(shellScriptOf(["python", "-c", "print(1)"]), null);
});

Deno.test("splitScript splits at top-level operators and respects quotes", () => {
  assert.deepEqual(splitScript("cd src && ls -la | head -n 5; echo 'a && b' || true\npwd"), [
    ["cd", "src"],
    ["ls", "-la"],
    ["head", "-n", "5"],
    ["echo", "a && b"],
    ["true"],
    ["pwd"],
  ]);
  assert.deepEqual(splitScript("a;b|c"), [["a"], ["b"], ["c"]]);
  assert.deepEqual(splitScript("ls # list | files\n\n  pwd;"), [["ls"], ["pwd"]]);
  assert.deepEqual(splitScript("a &&\n b"), [["a"], ["b"]]);
  assert.deepEqual(splitScript(`echo "\${HOME}" $X`), [["echo", "${HOME}", "$X"]]);
  assert.deepEqual(splitScript(""), []);
});

Deno.test("splitScriptSegments marks piped commands", () => {
  assert.deepEqual(splitScriptSegments("rg x | head && ls"), [
    { argv: ["rg", "x"], piped: false },
    { argv: ["head"], piped: true },
    { argv: ["ls"], piped: false },
  ]);
});

Deno.test("splitScript rejects constructs it does not parse", () => {
  for (
    const script of [
      "echo hi > f",
      "cat < f",
      "echo $(whoami)",
      'echo "$(whoami)"',
      "echo `id`",
      "diff <(a) <(b)",
      "cat <<EOF\nx\nEOF",
      "sleep 1 &",
      "(cd x && ls)",
      "{ ls; }",
      "ls 2>&1",
      "a |& b",
      "&& ls",
      "ls &&",
      "ls ; ; pwd",
      "echo 'unbalanced",
    ]
  ) {
    assert.equal(splitScript(script), null, script);
  }
});

Deno.test("splitScriptLoose never fails and still finds commands", () => {
  assert.deepEqual(splitScriptLoose("rm -rf / > log 2>&1 &"), [["rm", "-rf", "/"], ["log", "2"], [
    "1",
  ]]);
  assert.deepEqual(splitScriptLoose("echo 'x"), [["echo", "x"]]);
});

Deno.test("commandSegments uses the wrapped script or the argv itself", () => {
  assert.deepEqual(commandSegments(["bash", "-lc", "ls && pwd"])?.map((s) => s.argv), [
    ["ls"],
    ["pwd"],
  ]);
  assert.deepEqual(commandSegments(["ls", "a>b"]), [{ argv: ["ls", "a>b"], piped: false }]);
  assert.equal(commandSegments(["bash", "-c", "ls > x"]), null);
  assert.deepEqual(commandSegments([]), []);
});

Deno.test("commandName strips system bin dirs only", () => {
  assert.equal(commandName("/usr/bin/cat"), "cat");
  assert.equal(commandName("/bin/ls"), "ls");
  assert.equal(commandName("./cat"), "./cat");
  assert.equal(commandName("cat"), "cat");
});

Deno.test("parseOptions handles value flags, --x=y and --", () => {
  const r = parseOptions(["-n", "5", "--color=never", "-i", "f", "--", "-x"], new Set(["-n"]));
  assert.deepEqual(r.options, [
    { name: "-n", value: "5" },
    { name: "--color", value: "never" },
    { name: "-i", value: null },
  ]);
  assert.deepEqual(r.positionals, ["f", "-x"]);
});
