import assert from "node:assert/strict";
import { resolvePath } from "./paths.ts";

Deno.test("resolvePath: relative, absolute, dot segments, empty", () => {
  assert.equal(resolvePath("/ws", "a/b"), "/ws/a/b");
  assert.equal(resolvePath("/ws/", "./a/../b"), "/ws/b");
  assert.equal(resolvePath("/ws", "/etc/x"), "/etc/x");
  assert.equal(resolvePath("/ws", null), "/ws");
  assert.equal(resolvePath("/ws", ""), "/ws");
  assert.equal(resolvePath("/ws", "../../.."), "/");
});
