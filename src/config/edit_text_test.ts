import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { RpcError } from "../jsonrpc/errors.ts";
import { applyEdits, type ConfigEditRequest } from "./edit_text.ts";

/** Parsed as plain JSON data (smol-toml builds null-prototype objects). */
const parse = (text: string) => JSON.parse(JSON.stringify(parseToml(text)));

const set = (keyPath: string, value: unknown): ConfigEditRequest => ({
  keyPath,
  value,
  mergeStrategy: "replace",
});
const upsert = (keyPath: string, value: unknown): ConfigEditRequest => ({
  keyPath,
  value,
  mergeStrategy: "upsert",
});

const FILE = `# My codex config
model = "gpt-5" # the default model
review_model = "r"

# features I use
[features]
# shell first
shell_tool = true
unified_exec = false # not yet

[mcp_servers.docs]
command = "docs-mcp" # from PATH
args = [
  "--port", # keep this comment
  "9000",
]

[tui]
notifications = true
`;

function edited(text: string, ...edits: ConfigEditRequest[]): string {
  return applyEdits(text, edits);
}

Deno.test("applyEdits() changes a value in place and keeps every comment, blank line and order", () => {
  assert.equal(
    edited(FILE, set("features.unified_exec", true)),
    FILE.replace("unified_exec = false # not yet", "unified_exec = true # not yet"),
  );
  assert.equal(
    edited(FILE, set("model", "o3")),
    FILE.replace('model = "gpt-5" #', 'model = "o3" #'),
  );
});

Deno.test("applyEdits() replaces a multi-line array as one value", () => {
  const out = edited(FILE, set("mcp_servers.docs.args", ["--stdio"]));
  assert.equal(
    out,
    FILE.replace(/args = \[[^\]]*\]/, 'args = ["--stdio"]'),
  );
});

Deno.test("applyEdits() deletes a key with the comment lines above it", () => {
  const out = edited(FILE, set("features.shell_tool", null));
  assert.equal(out, FILE.replace("# shell first\nshell_tool = true\n", ""));
  const top = edited(FILE, set("model", null));
  assert.equal(top, FILE.replace('# My codex config\nmodel = "gpt-5" # the default model\n', ""));
});

Deno.test("applyEdits() deletes a whole table with its sub-tables, keeping what follows", () => {
  const out = edited(FILE, set("mcp_servers", null));
  assert.equal(out, FILE.replace(/\n\[mcp_servers\.docs\][\s\S]*?\]\n/, ""));
  assert.deepEqual(parse(out), {
    model: "gpt-5",
    review_model: "r",
    features: { shell_tool: true, unified_exec: false },
    tui: { notifications: true },
  });
});

Deno.test("applyEdits() deleting a missing key is a no-op", () => {
  assert.equal(edited(FILE, set("nothing.here", null)), FILE);
  assert.equal(edited(FILE, set("model.deeper", null)), FILE);
});

Deno.test("applyEdits() appends new keys to the end of their table", () => {
  const out = edited(FILE, set("features.web_search", true));
  assert.equal(
    out,
    FILE.replace(
      "unified_exec = false # not yet\n",
      "unified_exec = false # not yet\nweb_search = true\n",
    ),
  );
});

Deno.test("applyEdits() puts a new top-level scalar before the first table header", () => {
  const out = edited(FILE, set("approval_policy", "never"));
  assert.equal(
    out,
    FILE.replace('review_model = "r"\n', 'review_model = "r"\napproval_policy = "never"\n'),
  );
});

Deno.test("applyEdits() writes implicit parents as a single header, like the reference", () => {
  assert.equal(edited("", set("profiles.p.model", "pm")), '[profiles.p]\nmodel = "pm"\n');
  assert.equal(
    edited(FILE, set("profiles.p.model", "pm")),
    `${FILE}\n[profiles.p]\nmodel = "pm"\n`,
  );
  assert.equal(
    edited('model = "x"\n', set("a.b.c", [1, { k: "v" }])),
    'model = "x"\n\n[a.b]\nc = [1, { k = "v" }]\n',
  );
});

Deno.test("applyEdits() writes JSON objects as tables with sorted keys, objects in arrays inline", () => {
  const out = edited(
    "",
    set("mcp_servers.foo", {
      command: "echo",
      args: ["x"],
      env: { B: "2", A: "1" },
      list: [{ z: 1, a: [{ q: true }] }],
    }),
  );
  assert.equal(
    out,
    '[mcp_servers.foo]\nargs = ["x"]\ncommand = "echo"\nlist = [{ a = [{ q = true }], z = 1 }]\n\n' +
      '[mcp_servers.foo.env]\nA = "1"\nB = "2"\n',
  );
});

Deno.test("applyEdits() upsert deep-merges tables and keeps existing keys where they are", () => {
  const out = edited(FILE, upsert("mcp_servers.docs", { env: { TOKEN: "t" }, command: "d2" }));
  assert.equal(
    out,
    FILE.replace('command = "docs-mcp"', 'command = "d2"') +
      '\n[mcp_servers.docs.env]\nTOKEN = "t"\n',
  );
  // Upsert on a non-table behaves like replace.
  assert.equal(edited("x = 1\n", upsert("x", { a: 1 })), "x = { a = 1 }\n");
});

Deno.test("applyEdits() replace of a table keeps its header comment and surviving keys' comments", () => {
  const out = edited(FILE, set("features", { unified_exec: true, zeta: true }));
  assert.equal(
    out,
    FILE.replace(
      "# shell first\nshell_tool = true\nunified_exec = false # not yet\n",
      "unified_exec = true # not yet\nzeta = true\n",
    ),
  );
});

Deno.test("applyEdits() keeps inline tables and dotted keys in their own style", () => {
  const text = "tools = { web_search = true } # tc\nfeatures.a = true\n\n[tui]\nx = 1\n";
  assert.equal(
    edited(text, set("tools.view_image", true)),
    text.replace("{ web_search = true }", "{ web_search = true, view_image = true }"),
  );
  assert.equal(
    edited(text, set("features.b", false)),
    text.replace("features.a = true\n", "features.a = true\nfeatures.b = false\n"),
  );
});

Deno.test("applyEdits() quotes keys that are not bare and escapes strings", () => {
  assert.equal(
    edited("", set("projects./tmp/my project.trust_level", "trusted")),
    '[projects."/tmp/my project"]\ntrust_level = "trusted"\n',
  );
  const out = edited("", set("instructions", 'say "hi"\n\tand \\ bye\u0001'));
  assert.equal(out, 'instructions = "say \\"hi\\"\\n\\tand \\\\ bye\\u0001"\n');
  assert.equal(parse(out).instructions, 'say "hi"\n\tand \\ bye\u0001');
});

Deno.test("applyEdits() keeps CRLF line endings and files without a final newline", () => {
  assert.equal(
    edited("a = 1\r\n\r\n[t]\r\nx = 1\r\n", set("b", 2)),
    "a = 1\r\nb = 2\r\n\r\n[t]\r\nx = 1\r\n",
  );
  assert.equal(edited("a = 1", set("b", 2)), "a = 1\nb = 2\n");
  assert.equal(edited("a = 1", set("t.x", 2)), "a = 1\n\n[t]\nx = 2\n");
});

Deno.test("applyEdits() keeps unchanged arrays of tables and rewrites changed ones inline", () => {
  const text = "[[x]]\na = 1\n\n[[x]]\na = 2\n\n[y]\nq = 1\n";
  assert.equal(edited(text, set("y.r", 2)), text.replace("q = 1\n", "q = 1\nr = 2\n"));
  assert.equal(edited(text, set("x", [{ a: 3 }])), "x = [{ a = 3 }]\n\n[y]\nq = 1\n");
});

Deno.test("applyEdits() copes with strings that look like TOML syntax", () => {
  const text = `a = """
[not_a_table]
b = "x" """
c = '''it's # no ''comment'''
d = "]}#"
[t]
k = 1
`;
  const out = edited(text, set("t.k", 2), set("e", 1));
  assert.deepEqual(parse(out), { ...parse(text), e: 1, t: { k: 2 } });
  assert.ok(out.startsWith(text.slice(0, text.indexOf("[t]"))));
});

Deno.test("applyEdits() applies a batch in order", () => {
  const out = edited("", set("model", "a"), set("model", "b"), set("x.y", 1), set("x", null));
  assert.equal(out, 'model = "b"\n');
});

Deno.test("applyEdits() refuses what the reference refuses", () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      assert.ok(err instanceof RpcError);
      assert.equal(err.code, -32600);
      return [err.message, (err.data as Record<string, string>).config_write_error_code];
    }
    assert.fail("expected an error");
  };
  assert.deepEqual(code(() => edited("", set("", 1))), [
    "keyPath must not be empty",
    "configValidationError",
  ]);
  assert.deepEqual(code(() => edited('model = "x"\n', set("model.x", "y"))), [
    "cannot set value on non-table parent",
    "configValidationError",
  ]);
  assert.deepEqual(code(() => edited("", set("tui", { a: null }))), [
    "invalid value: invalid type: null, expected any valid TOML value",
    "configValidationError",
  ]);
});

Deno.test("applyEdits() random edit sequences always give the data the edits describe", () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const keys = [
    "model",
    "features.a",
    "features.shell_tool",
    "t.x.y",
    "t.z",
    "mcp_servers.docs.args",
    "p.q.r.s",
    "tools.view_image",
    "tools",
    "d.e",
    "d.f.g",
    "x",
  ];
  const fixtures = [
    FILE,
    'tools = { web_search = true } # tc\nd.e = 1\nd.f.g = "h"\n\n[[x]]\na = 1\n\n[t.x]\ny = 2\n',
  ];
  const values: unknown[] = [null, 1, "s", true, [1, 2], { k: 1 }, { n: { m: "v" } }, [{ i: 1 }]];
  for (let round = 0; round < 400; round++) {
    let text = fixtures[round % fixtures.length]!;
    let model = parse(text) as Record<string, unknown>;
    for (let step = 0; step < 6; step++) {
      const edit = (rand(3) === 0 ? upsert : set)(
        keys[rand(keys.length)]!,
        values[rand(values.length)],
      );
      let next: string;
      try {
        next = applyEdits(text, [edit]);
      } catch (err) {
        assert.ok(err instanceof RpcError, String(err));
        continue;
      }
      model = applyModel(model, edit);
      assert.deepEqual(parse(next), model, `round ${round}: ${JSON.stringify(edit)}\n${next}`);
      text = next;
    }
  }
});

/** The plain-data meaning of an edit, written independently of the editor. */
function applyModel(doc: Record<string, unknown>, edit: ConfigEditRequest) {
  const out = structuredClone(doc);
  const segs = edit.keyPath.split(".");
  let parent: Record<string, unknown> = out;
  for (const s of segs.slice(0, -1)) {
    if (parent[s] === undefined && edit.value === null) return out;
    parent[s] ??= {};
    parent = parent[s] as Record<string, unknown>;
  }
  const last = segs.at(-1)!;
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    const m = { ...a };
    for (const [k, v] of Object.entries(b)) m[k] = isObj(m[k]) && isObj(v) ? merge(m[k], v) : v;
    return m;
  };
  if (edit.value === null) delete parent[last];
  else if (edit.mergeStrategy === "upsert" && isObj(parent[last]) && isObj(edit.value)) {
    parent[last] = merge(parent[last], structuredClone(edit.value));
  } else parent[last] = structuredClone(edit.value);
  return out;
}
