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
import { type Msg, StdioClient } from "../tests/support/clients.ts";
import { ServerProcess } from "../tests/support/server.ts";
import {
  message,
  MockModelServer,
  mockProviderConfig,
  reasoning,
  turn,
} from "../tests/support/mock_model.ts";

const out = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

/** One line of JSON, with ids and timestamps shortened so the transcript stays readable. */
function show(arrow: string, m: Msg): void {
  const text = JSON.stringify(m, (key, value) => {
    if (typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(value)) {
      return `${value.slice(0, 8)}…`;
    }
    if (key === "path" && typeof value === "string") return `…/${value.split("/").pop()}`;
    if ((key === "createdAt" || key === "updatedAt") && typeof value === "number") return 0;
    return value;
  });
  out(`${arrow} ${text}`);
}

async function session(
  home: string,
  title: string,
  body: (c: StdioClient, call: (method: string, params: Msg) => Promise<Msg>) => Promise<void>,
): Promise<void> {
  out(`\n# ${title}`);
  const server = await ServerProcess.start({ codexHome: home });
  const c = new StdioClient(server);
  let seen = 0;
  const flush = () => {
    for (const m of c.received.slice(seen)) {
      if (typeof m.method === "string" && m.method.startsWith("codex/event/")) continue;
      show("<-", m);
    }
    seen = c.received.length;
  };
  const call = async (method: string, params: Msg) => {
    flush();
    show("->", { method, params });
    const res = await c.request(method, params);
    flush();
    return res;
  };
  try {
    await call("initialize", { clientInfo: { name: "demo", title: null, version: "1.0" } });
    await body(c, async (method, params) => {
      const res = await call(method, params);
      if (method === "turn/start") {
        await c.waitFor((m) => m.method === "turn/completed");
        flush();
      }
      return res;
    });
  } finally {
    await c.closeInput();
    await server.exited().catch(() => {});
    await server.close();
  }
}

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
