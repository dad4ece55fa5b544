import assert from "node:assert/strict";
import { deriveStatus } from "./thread.ts";
import { type ThreadEvent, ThreadManager } from "./thread_manager.ts";
import { resolveProvider } from "../model/provider.ts";
import { failed, MockModelServer, textTurn } from "../../../tests/support/mock_model.ts";

const base = {
  loaded: true,
  running: false,
  pendingApprovals: 0,
  pendingUserInputs: 0,
  systemError: false,
};

Deno.test("deriveStatus follows the reference's order", () => {
  assert.deepEqual(deriveStatus({ ...base, loaded: false, running: true }), { type: "notLoaded" });
  assert.deepEqual(deriveStatus(base), { type: "idle" });
  assert.deepEqual(deriveStatus({ ...base, systemError: true }), { type: "systemError" });
  assert.deepEqual(deriveStatus({ ...base, running: true, systemError: true }), {
    type: "active",
    activeFlags: [],
  });
  assert.deepEqual(deriveStatus({ ...base, pendingApprovals: 1, pendingUserInputs: 2 }), {
    type: "active",
    activeFlags: ["waitingOnApproval", "waitingOnUserInput"],
  });
});

async function withManager(
  fn: (
    m: ThreadManager,
    mock: MockModelServer,
    events: ThreadEvent[],
    home: string,
  ) => Promise<void>,
) {
  const mock = await MockModelServer.start();
  const home = await Deno.makeTempDir({ prefix: "codex-tm-" });
  const events: ThreadEvent[] = [];
  const m = new ThreadManager({
    codexHome: home,
    identity: { originator: "test", userAgent: () => "test/1" },
    env: {},
  });
  m.setListener((e) => events.push(e));
  try {
    await fn(m, mock, events, home);
  } finally {
    await m.idle();
    await mock.close();
    await Deno.remove(home, { recursive: true });
  }
}

function startThread(m: ThreadManager, mock: MockModelServer) {
  const provider = resolveProvider(
    {
      mock: { base_url: mock.url, request_max_retries: 0, stream_max_retries: 0 },
    },
    "mock",
    {},
  );
  return m.start({
    model: "m",
    provider,
    cwd: "/tmp",
    approvalPolicy: "never",
    sandboxMode: "read-only",
    sandboxPolicy: { type: "readOnly" },
    diskSandboxPolicy: { type: "read-only" },
    shell: "bash",
  });
}

Deno.test("turn runner: a completed turn writes the rollout and emits in order", async () => {
  await withManager(async (m, mock, events) => {
    const t = startThread(m, mock);
    mock.enqueue(textTurn("ok", { deltas: ["o", "k"] }));
    m.startTurn(t.id, [{ type: "text", text: "hello", text_elements: [] }]);
    await m.idle();
    await new Promise((r) => setTimeout(r, 10));
    await m.idle();
    const kinds = events.map((e) => e.kind);
    assert.equal(kinds[0], "statusChanged");
    assert.equal(kinds.at(-1), "turnCompleted");
    assert.ok(kinds.includes("agentMessageDelta") && kinds.includes("tokenCount"));
    const text = await Deno.readTextFile(t.writer.path);
    const types = text.trim().split("\n").map((l) => {
      const r = JSON.parse(l);
      return r.type === "event_msg" ? r.payload.type : r.type;
    });
    assert.equal(types[0], "session_meta");
    for (const k of ["user_message", "turn_context", "agent_message", "task_complete"]) {
      assert.ok(types.includes(k), k);
    }
  });
});

Deno.test("turn runner: a failed turn sets systemError", async () => {
  await withManager(async (m, mock, events) => {
    const t = startThread(m, mock);
    mock.enqueue(failed("server_error", "nope"));
    m.startTurn(t.id, [{ type: "text", text: "hello", text_elements: [] }]);
    await new Promise((r) => setTimeout(r, 10));
    await m.idle();
    assert.deepEqual(m.status(t.id), { type: "systemError" });
    const last = events.at(-1)!;
    assert.equal(last.kind === "turnCompleted" && last.turn.status, "failed");
  });
});
