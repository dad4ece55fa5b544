import assert from "node:assert/strict";
import { alive } from "./_test_processes.ts";
import { ExecSessions, UnknownSessionError } from "./unified_exec.ts";
import { probeBwrap } from "./sandbox.ts";

const ENV = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LANG: "C.UTF-8" };

Deno.test("a cat session echoes written input and streams to the current listener", async () => {
  const sessions = new ExecSessions();
  const streamed: string[] = [];
  const first = await sessions.start({
    argv: ["cat"],
    cwd: "/",
    env: ENV,
    yieldTimeMs: 250,
    onOutput: (c) => streamed.push(c),
  });
  assert.notEqual(first.sessionId, null);
  assert.equal(first.exitCode, null);
  assert.equal(first.output, "");
  const id = first.sessionId as number;
  assert.ok(id >= 1000);
  assert.equal(sessions.has(id), true);
  assert.equal(sessions.pidOf(id), first.pid);
  const echoed = await sessions.write(id, "héllo\n", 300);
  assert.equal(echoed.output, "héllo\n");
  assert.equal(echoed.originalBytes, 7);
  assert.equal(echoed.sessionId, id);
  const later: string[] = [];
  sessions.setOnOutput(id, (c) => later.push(c));
  await sessions.write(id, "again\n", 250);
  assert.deepEqual(streamed, ["héllo\n"]);
  assert.deepEqual(later, ["again\n"]);
  await sessions.killAll();
  assert.equal(sessions.size, 0);
});

Deno.test("a short command returns its exit early and the session is gone", async () => {
  const sessions = new ExecSessions();
  let exited: number | null = null;
  const t0 = performance.now();
  const poll = await sessions.start({
    argv: ["bash", "-c", "sleep 0.2; echo done; exit 4"],
    cwd: "/",
    env: ENV,
    yieldTimeMs: 2000,
    onExit: (code) => {
      exited = code;
    },
  });
  assert.ok(performance.now() - t0 < 1500);
  assert.equal(poll.sessionId, null);
  assert.equal(poll.exitCode, 4);
  assert.equal(poll.output, "done\n");
  assert.equal(exited, 4);
  assert.equal(sessions.size, 0);
  await assert.rejects(sessions.write(poll.pid, "", 250), UnknownSessionError);
});

Deno.test("a long-running command polled twice sees its output in parts", async () => {
  const sessions = new ExecSessions();
  const first = await sessions.start({
    argv: ["bash", "-c", "for i in 1 2 3; do echo $i; sleep 0.3; done"],
    cwd: "/",
    env: ENV,
    yieldTimeMs: 400,
  });
  assert.notEqual(first.sessionId, null);
  assert.match(first.output, /^1\n(2\n)?$/);
  const second = await sessions.write(first.sessionId as number, "", 3000);
  assert.equal(second.sessionId, null);
  assert.equal(second.exitCode, 0);
  assert.equal(first.output + second.output, "1\n2\n3\n");
});

Deno.test("killAll kills every process group, sandboxed ones included", async () => {
  const probe = await probeBwrap();
  assert.ok(probe.ok);
  const sessions = new ExecSessions();
  const a = `40.${Math.floor(Math.random() * 1e6)}`;
  const b = `41.${Math.floor(Math.random() * 1e6)}`;
  await sessions.start({
    argv: ["bash", "-c", `sleep ${a}`],
    cwd: "/",
    env: ENV,
    yieldTimeMs: 250,
  });
  await sessions.start({
    argv: ["bash", "-c", `sleep ${b}`],
    cwd: "/",
    env: ENV,
    sandbox: { kind: "readOnly", network: false },
    bwrapPath: probe.path,
    yieldTimeMs: 250,
  });
  assert.equal(sessions.size, 2);
  assert.equal(await alive(`sleep ${a}`), true);
  assert.equal(await alive(`sleep ${b}`), true);
  await sessions.killAll();
  assert.equal(sessions.size, 0);
  assert.equal(await alive(`sleep ${a}`), false);
  assert.equal(await alive(`sleep ${b}`), false);
});

Deno.test("unknown session id", async () => {
  const sessions = new ExecSessions();
  await assert.rejects(
    sessions.write(4242, "x", 250),
    (e: unknown) => e instanceof UnknownSessionError && e.message === "unknown session id 4242",
  );
  assert.equal(sessions.has(4242), false);
  assert.equal(sessions.pidOf(4242), undefined);
});

Deno.test("output is capped per poll with head, marker and tail", async () => {
  const sessions = new ExecSessions();
  const poll = await sessions.start({
    argv: ["bash", "-c", "head -c 200000 /dev/zero | tr '\\0' a; echo END"],
    cwd: "/",
    env: ENV,
    yieldTimeMs: 5000,
    maxOutputBytes: 1000,
  });
  assert.equal(poll.exitCode, 0);
  assert.equal(poll.originalBytes, 200004);
  assert.equal(
    poll.output,
    `${"a".repeat(500)}\n[... 199004 bytes omitted ...]\n${"a".repeat(496)}END\n`,
  );
});

Deno.test("starting past maxSessions kills the least recently used session", async () => {
  const sessions = new ExecSessions({ maxSessions: 2 });
  const start = () =>
    sessions.start({ argv: ["sleep", "30"], cwd: "/", env: ENV, yieldTimeMs: 250 });
  const one = (await start()).sessionId as number;
  const two = (await start()).sessionId as number;
  await sessions.write(one, "", 250);
  const three = (await start()).sessionId as number;
  assert.deepEqual([sessions.has(one), sessions.has(two), sessions.has(three)], [
    true,
    false,
    true,
  ]);
  await sessions.killAll();
});

Deno.test("abort signal kills a session", async () => {
  const sessions = new ExecSessions();
  const ctrl = new AbortController();
  const poll = await sessions.start({
    argv: ["sleep", "30"],
    cwd: "/",
    env: ENV,
    signal: ctrl.signal,
    yieldTimeMs: 250,
  });
  ctrl.abort();
  const after = await sessions.write(poll.sessionId as number, "", 5000);
  assert.equal(after.sessionId, null);
  assert.equal(after.exitCode, 137);
  assert.ok(after.wallTimeMs < 2000);
});
