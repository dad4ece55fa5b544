/**
 * Prints a real session transcript for the README: `codex app-server` over stdio, driven by
 * a client, against a local OpenAI-compatible Responses provider (the scripted mock from
 * `tests/support`, since this machine reaches no hosted model). It starts a thread, runs a
 * turn, stops the server, starts a new one on the same CODEX_HOME, resumes the thread and runs
 * a second turn, whose model request carries the first turn.
 *
 * Run: `deno run --allow-all tools/demo_session.ts`
 *
 * @module
 */

import { join } from "node:path";
import type { Msg } from "../tests/support/clients.ts";
import { out, session } from "./demo_support.ts";
import {
  message,
  MockModelServer,
  mockProviderConfig,
  reasoning,
  turn,
} from "../tests/support/mock_model.ts";

const mock = await MockModelServer.start();
const home = await Deno.makeTempDir({ prefix: "codex-demo-" });
try {
  await Deno.writeTextFile(join(home, "config.toml"), mockProviderConfig(mock.url));
  mock.enqueue(turn([
    ...reasoning({ id: "rs_1", summary: ["Checking the README."] }),
    ...message("The README starts with two commands.", {
      id: "msg_1",
      deltas: ["The README ", "starts with ", "two commands."],
    }),
  ]));
  let threadId = "";
  await session(home, "First server: start a thread and run a turn", async (_c, call) => {
    threadId = (await call("thread/start", { cwd: "/srv/project" })).result.thread.id;
    await call("turn/start", {
      threadId,
      input: [{ type: "text", text: "What does the README start with?", text_elements: [] }],
    });
  });
  mock.enqueue(turn(message("You asked what the README starts with.", { id: "msg_2" })));
  await session(home, "Second server: resume the thread and continue", async (_c, call) => {
    await call("thread/resume", { threadId });
    await call("turn/start", {
      threadId,
      input: [{ type: "text", text: "What did I just ask?", text_elements: [] }],
    });
  });
  const last = mock.requests.at(-1)!.body as Msg;
  out("\n# The second turn's model request carries the first turn:");
  for (const item of last.input as Msg[]) {
    const text = (item.content as Msg[] | undefined)?.map((p) => p.text).join("") ?? "";
    out(`  ${item.role ?? item.type}: ${text.split("\n")[0]!.slice(0, 70)}`);
  }
} finally {
  await mock.close();
  await Deno.remove(home, { recursive: true }).catch(() => {});
}
