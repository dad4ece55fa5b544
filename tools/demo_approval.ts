/**
 * Prints a real transcript of a turn that edits a file after approval: `codex app-server`
 * over stdio with `approval_policy = "untrusted"` and a workspace-write sandbox, a local
 * Responses provider (the scripted mock from `tests/support`; no hosted model is reachable
 * here) whose model reads the file with a shell command, then patches it, and a client that
 * accepts each approval request.
 *
 * Run: `deno run --allow-all tools/demo_approval.ts`
 *
 * @module
 */

import { join } from "node:path";
import {
  customToolCall,
  functionCall,
  message,
  MockModelServer,
  mockProviderConfig,
  turn,
} from "../tests/support/mock_model.ts";
import { out, session } from "./demo_support.ts";

const mock = await MockModelServer.start();
const home = await Deno.makeTempDir({ prefix: "codex-demo-" });
const ws = await Deno.makeTempDir({ prefix: "codex-demo-ws-" });
const quietHome = await Deno.makeTempDir({ prefix: "codex-demo-home-" });
try {
  const config = mockProviderConfig(mock.url)
    .replace('approval_policy = "never"', 'approval_policy = "untrusted"')
    .replace('sandbox_mode = "read-only"', 'sandbox_mode = "workspace-write"');
  await Deno.writeTextFile(join(home, "config.toml"), config);
  await Deno.writeTextFile(join(ws, "greeting.txt"), "Hello, wrld!\n");
  mock.enqueue(turn([functionCall("shell_command", { command: "cat greeting.txt" }, "call_read")]));
  mock.enqueue(turn([
    customToolCall(
      "apply_patch",
      "*** Begin Patch\n*** Update File: greeting.txt\n@@\n-Hello, wrld!\n+Hello, world!\n*** End Patch\n",
      "call_fix",
    ),
  ]));
  mock.enqueue(turn(message("Fixed the typo in greeting.txt.", { id: "msg_done" })));
  await session(home, "A turn that edits a file after approval", async (_c, call) => {
    const threadId = (await call("thread/start", { cwd: ws })).result.thread.id;
    await call("turn/start", {
      threadId,
      input: [{ type: "text", text: "Fix the typo in greeting.txt", text_elements: [] }],
    });
  }, { env: { HOME: quietHome }, answer: () => ({ decision: "accept" }) });
  out(
    `\n# greeting.txt now reads: ${
      JSON.stringify(await Deno.readTextFile(join(ws, "greeting.txt")))
    }`,
  );
} finally {
  await mock.close();
  for (const dir of [home, ws, quietHome]) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
