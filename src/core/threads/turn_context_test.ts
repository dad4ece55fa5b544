import assert from "node:assert/strict";
import { join } from "node:path";
import {
  contextUpdate,
  emptySentContext,
  isContextMessage,
  loadProjectDocs,
  sentContextFrom,
  textMessage,
} from "./turn_context.ts";
import type { ThreadSettings } from "./thread.ts";

const settings = (over: Partial<ThreadSettings> = {}): ThreadSettings => ({
  model: "m",
  provider: { id: "mock" } as ThreadSettings["provider"],
  cwd: "/work",
  approvalPolicy: "never",
  sandboxMode: "read-only",
  sandboxPolicy: { type: "readOnly" },
  diskSandboxPolicy: { type: "read-only" },
  baseInstructions: "base",
  shell: "bash",
  ...over,
});

Deno.test("contextUpdate sends each context once, and again only when it changes", () => {
  const sent = emptySentContext();
  const first = contextUpdate(settings({ developerInstructions: "dev" }), "docs", sent);
  assert.deepEqual(first.map((i) => i.role), ["developer", "user", "user"]);
  assert.deepEqual(contextUpdate(settings({ developerInstructions: "dev" }), "docs", sent), []);
  const moved = contextUpdate(
    settings({ developerInstructions: "dev", cwd: "/elsewhere" }),
    "docs",
    sent,
  );
  // The docs message names the cwd, so it is sent again along with the environment.
  assert.equal(moved.length, 2);
  assert.ok(moved.every((i) => isContextMessage(i)));
});

Deno.test("sentContextFrom recognises what a stored history already told the model", () => {
  const sent = emptySentContext();
  const items = contextUpdate(settings(), "docs", sent);
  const history = [...items, textMessage("user", "hello")];
  assert.deepEqual(sentContextFrom(history), sent);
  assert.equal(isContextMessage(textMessage("user", "hello")), false);
});

Deno.test("loadProjectDocs: CODEX_HOME first, then root to cwd, override wins, byte cap", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const home = join(dir, "home");
    const repo = join(dir, "repo");
    await Deno.mkdir(home);
    await Deno.mkdir(join(repo, ".git"), { recursive: true });
    await Deno.mkdir(join(repo, "a"));
    await Deno.writeTextFile(join(home, "AGENTS.md"), "home");
    await Deno.writeTextFile(join(repo, "AGENTS.md"), "root");
    await Deno.writeTextFile(join(repo, "a", "AGENTS.md"), "plain");
    await Deno.writeTextFile(join(repo, "a", "AGENTS.override.md"), "override");
    const opts = { cwd: join(repo, "a"), codexHome: home, rootMarkers: [".git"] };
    const docs = await loadProjectDocs(opts);
    assert.equal(docs, "home\n\n--- next file ---\n\nroot\n\n--- next file ---\n\noverride");
    const capped = await loadProjectDocs({ ...opts, maxBytes: 6 });
    assert.equal(capped, "home\n\n--- next file ---\n\nroot\n\n--- next file ---\n\nov");
    assert.equal(await loadProjectDocs({ ...opts, maxBytes: 0 }), "home");
    assert.equal(await loadProjectDocs({ ...opts, codexHome: repo + "/none", maxBytes: 0 }), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
