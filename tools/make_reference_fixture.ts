/**
 * Regenerates `tests/fixtures/reference_0_105/`: a rollout written by the reference
 * `codex app-server` 0.105.0 (run over stdio against the mock model of the test suite), plus
 * what the reference itself answered for `thread/read` (with turns) on that rollout.
 *
 * The conversation: turn 1 streams a reasoning item and an assistant message in deltas,
 * turn 2 is a plain answer, turn 3 stalls mid-stream and is interrupted.
 *
 *     deno run --allow-all tools/make_reference_fixture.ts
 *
 * Needs the reference (installed into `.cache/reference/` by `tools/reference.ts` on first
 * use, which needs npm and network). The tests only read the committed output.
 *
 * @module
 */

import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureReference } from "./reference.ts";
import { type Msg, StdioClient } from "../tests/support/clients.ts";
import type { ServerProcess } from "../tests/support/server.ts";
import {
  hangAfter,
  message,
  MockModelServer,
  mockProviderConfig,
  reasoning,
  textTurn,
  turn,
} from "../tests/support/mock_model.ts";

/** Where the fixture lives. */
export const FIXTURE_DIR = fileURLToPath(
  new URL("../tests/fixtures/reference_0_105/", import.meta.url),
);

/** The working directory recorded in the fixture (it need not exist on the test machine). */
const FIXTURE_CWD = "/tmp/codex-reference-fixture";

/** Elided from `session_meta` to keep the fixture small; nothing reads it back. */
const ELIDED_INSTRUCTIONS = "<base instructions elided from fixture>";

/** Env for a reference process: a private CODEX_HOME, UTC, no colours, a dummy key. */
export function referenceEnv(home: string): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    CODEX_HOME: home,
    TZ: "UTC",
    NO_COLOR: "1",
    RUST_LOG: "error",
    OPENAI_API_KEY: "sk-mock",
  };
}

/**
 * Spawns `codex app-server` of the reference with piped stdin/stdout. Its stderr is inherited
 * (or dropped with `quiet`): the npm launcher hands its own stdio to the native binary, so a
 * piped stderr could stay open after the launcher is gone.
 */
export function spawnReference(
  bin: string,
  home: string,
  cwd: string,
  quiet = false,
): Deno.ChildProcess {
  return new Deno.Command(bin, {
    args: ["app-server"],
    cwd,
    env: referenceEnv(home),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: quiet ? "null" : "inherit",
  }).spawn();
}

/** A StdioClient over any child process (the client only touches stdin and stdout). */
export function clientFor(child: Deno.ChildProcess): StdioClient {
  return new StdioClient({ child } as unknown as ServerProcess);
}

/**
 * Stops a reference process: SIGTERM first, which the npm launcher forwards to the native
 * binary (a SIGKILL would orphan it), then SIGKILL if it is still there after 3 s.
 */
export async function stopReference(child: Deno.ChildProcess): Promise<void> {
  const signal = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), 3_000));
  if (await Promise.race([child.status, late]) === "late") signal("SIGKILL");
  clearTimeout(timer);
  await child.status;
  await child.stdout.cancel().catch(() => {});
}

async function ok(c: StdioClient, method: string, params: unknown): Promise<Msg> {
  const res = await c.request(method, params);
  if (!res.result) throw new Error(`${method} failed: ${JSON.stringify(res)}`);
  return res.result;
}

async function runTurn(c: StdioClient, threadId: string, text: string): Promise<Msg> {
  const res = await ok(c, "turn/start", { threadId, input: [{ type: "text", text }] });
  const id = res.turn.id;
  return await c.waitFor(
    (m) => m.method === "turn/completed" && m.params.turn.id === id,
    `turn/completed ${id}`,
    20_000,
  );
}

async function findRollouts(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".jsonl")) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Makes the reference's rollout smaller without changing anything a reader rebuilds. */
function sanitize(text: string): string {
  return text.split("\n").filter((l) => l !== "").map((line) => {
    const rec = JSON.parse(line);
    if (rec.type === "session_meta" && rec.payload?.base_instructions) {
      rec.payload.base_instructions = { text: ELIDED_INSTRUCTIONS };
    }
    return JSON.stringify(rec);
  }).join("\n") + "\n";
}

async function main(): Promise<void> {
  const bin = await ensureReference();
  const mock = await MockModelServer.start();
  const home = await Deno.makeTempDir({ prefix: "codex-ref-fixture-" });
  await Deno.mkdir(FIXTURE_CWD, { recursive: true });
  await Deno.writeTextFile(join(home, "config.toml"), mockProviderConfig(mock.url));
  const child = spawnReference(bin, home, FIXTURE_CWD);
  const c = clientFor(child);
  try {
    await ok(c, "initialize", {
      clientInfo: { name: "fixture", title: null, version: "1.0" },
      capabilities: { experimentalApi: true },
    });
    const started = await ok(c, "thread/start", { cwd: FIXTURE_CWD });
    const threadId: string = started.thread.id;

    mock.enqueue(turn([
      reasoning({ id: "rs_fixture_1", summary: ["Thinking about the greeting"] }),
      message("Hello from the reference", {
        id: "msg_fixture_1",
        deltas: ["Hello", " from", " the reference"],
      }),
    ], { responseId: "resp_fixture_1" }));
    const t1 = await runTurn(c, threadId, "first question");

    mock.enqueue(textTurn("Second answer", { id: "msg_fixture_2", responseId: "resp_fixture_2" }));
    const t2 = await runTurn(c, threadId, "second question");

    mock.enqueue(
      hangAfter(
        3,
        textTurn("never finished", {
          id: "msg_fixture_3",
          deltas: ["never", " finished"],
          responseId: "resp_fixture_3",
        }),
      ),
    );
    const t3res = await ok(c, "turn/start", {
      threadId,
      input: [{ type: "text", text: "third question, interrupted" }],
    });
    const t3id: string = t3res.turn.id;
    await c.waitFor(
      (m) => m.method === "item/agentMessage/delta" && m.params.turnId === t3id,
      "a delta of turn 3",
      20_000,
    );
    await ok(c, "turn/interrupt", { threadId, turnId: t3id });
    const t3 = await c.waitFor(
      (m) => m.method === "turn/completed" && m.params.turn.id === t3id,
      "turn 3 completed",
      20_000,
    );

    const read = await ok(c, "thread/read", { threadId, includeTurns: true });
    const [rollout] = await findRollouts(join(home, "sessions"));
    if (!rollout) throw new Error("the reference wrote no rollout");
    const name = basename(rollout);
    const day = rollout.slice(join(home, "sessions").length + 1, -name.length - 1);

    await Deno.mkdir(FIXTURE_DIR, { recursive: true });
    for await (const e of Deno.readDir(FIXTURE_DIR)) {
      if (e.name.startsWith("rollout-")) await Deno.remove(join(FIXTURE_DIR, e.name));
    }
    await Deno.writeTextFile(join(FIXTURE_DIR, name), sanitize(await Deno.readTextFile(rollout)));
    const expected = {
      generatedBy: "tools/make_reference_fixture.ts",
      referenceVersion: "0.105.0",
      rolloutFile: name,
      sessionsSubdir: day,
      threadId,
      turnStatuses: [t1, t2, t3].map((m) => ({
        id: m.params.turn.id,
        status: m.params.turn.status,
      })),
      modelRequests: mock.requests.length,
      threadRead: read,
    };
    await Deno.writeTextFile(
      join(FIXTURE_DIR, "thread_read.json"),
      JSON.stringify(expected, null, 2) + "\n",
    );
    const note = `wrote ${join(FIXTURE_DIR, name)} (${day}) and thread_read.json\n`;
    await Deno.stdout.write(new TextEncoder().encode(note));
  } finally {
    await stopReference(child);
    await Deno.remove(FIXTURE_CWD).catch(() => {}); // only when empty
    await mock.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
