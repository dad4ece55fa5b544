import assert from "node:assert/strict";
import { tempCodexHome } from "./_test_rollouts.ts";
import {
  appendThreadName,
  readThreadName,
  readThreadNames,
  sessionIndexPath,
} from "./session_index.ts";

const A = "01a20166-dc90-7721-ae44-c7391568a74f";
const B = "01a20167-165e-73d3-a2d4-7438e01d7531";

Deno.test("session index: the last line for an id wins", async () => {
  await using tmp = await tempCodexHome();
  assert.equal((await readThreadNames(tmp.home)).size, 0);
  await appendThreadName(tmp.home, A, "first");
  await appendThreadName(tmp.home, B, "other");
  const entry = await appendThreadName(tmp.home, A, "second", new Date(Date.UTC(2026, 0, 2)));
  assert.deepEqual(entry, { id: A, thread_name: "second", updated_at: "2026-01-02T00:00:00.000Z" });
  assert.deepEqual(await readThreadNames(tmp.home), new Map([[A, "second"], [B, "other"]]));
  assert.equal(await readThreadName(tmp.home, A.toUpperCase()), "second");
  assert.equal(await readThreadName(tmp.home, "missing"), null);
  const lines = (await Deno.readTextFile(sessionIndexPath(tmp.home))).trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.deepEqual(Object.keys(JSON.parse(lines[0]!)), ["id", "thread_name", "updated_at"]);
});

Deno.test("session index: torn and bad lines are skipped; an append after a torn line survives", async () => {
  await using tmp = await tempCodexHome();
  const path = sessionIndexPath(tmp.home);
  await Deno.writeTextFile(
    path,
    `{"id":"${A}","thread_name":"kept","updated_at":"x"}\nnot json\n{"id":"${B}","thread_na`,
  );
  assert.deepEqual(await readThreadNames(tmp.home), new Map([[A, "kept"]]));
  await appendThreadName(tmp.home, B, "named");
  assert.deepEqual(await readThreadNames(tmp.home), new Map([[A, "kept"], [B, "named"]]));
});

Deno.test("session index: concurrent appends keep every line whole", async () => {
  await using tmp = await tempCodexHome();
  await Promise.all(
    Array.from(
      { length: 50 },
      (_, i) => appendThreadName(tmp.home, `id-${i}`, "n".repeat(i * 100)),
    ),
  );
  const names = await readThreadNames(tmp.home);
  assert.equal(names.size, 50);
  for (let i = 0; i < 50; i++) assert.equal(names.get(`id-${i}`)?.length, i * 100);
});
