import assert from "node:assert/strict";
import { alive } from "./_test_processes.ts";
import { runCommand, SpawnError } from "./process.ts";
import { HeadTailBuffer, utf8Length } from "./head_tail.ts";
import { probeBwrap, type SandboxSpec } from "./sandbox.ts";

const ENV = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LANG: "C.UTF-8" };

async function bwrapPath(): Promise<string> {
  const probe = await probeBwrap();
  assert.ok(probe.ok);
  return probe.path;
}

Deno.test("HeadTailBuffer keeps head and tail, counts the rest, never splits characters", () => {
  const b = new HeadTailBuffer(10);
  b.push("abcdefg");
  b.push("hijklmnop");
  assert.equal(b.totalBytes, 16);
  assert.equal(b.droppedBytes, 6);
  assert.equal(b.render(), "abcde\n[... 6 bytes omitted ...]\nlmnop");
  const u = new HeadTailBuffer(7);
  u.push("ééééé😀");
  assert.equal(u.totalBytes, 14);
  assert.equal(utf8Length("ééééé😀"), 14);
  assert.equal(u.droppedBytes, 8);
  assert.equal(u.render(), "é\n[... 8 bytes omitted ...]\n😀");
  const small = new HeadTailBuffer(100);
  small.push("0123456789");
  assert.equal(small.render(), "0123456789");
  assert.equal(small.render(4), "01\n[... 6 bytes omitted ...]\n89");
});

Deno.test("runCommand captures stdout, stderr, aggregated and exit code", async () => {
  const chunks: string[] = [];
  const r = await runCommand({
    argv: ["bash", "-c", "echo out; sleep 0.05; echo err >&2; sleep 0.05; echo out2; exit 3"],
    cwd: "/",
    env: ENV,
    onOutput: (c) => chunks.push(c),
  });
  assert.equal(r.exitCode, 3);
  assert.equal(r.stdout, "out\nout2\n");
  assert.equal(r.stderr, "err\n");
  assert.equal(r.aggregated, "out\nerr\nout2\n");
  assert.equal(chunks.join(""), "out\nerr\nout2\n");
  assert.equal(r.timedOut, false);
  assert.equal(r.aborted, false);
  assert.equal(r.sandboxDenied, false);
  assert.ok(r.pid > 0);
});

Deno.test("runCommand: only the given environment, cwd honoured, signal exit code", async () => {
  const r = await runCommand({
    argv: ["bash", "-c", 'echo "$ONLY:${HOME:-unset}"; pwd'],
    cwd: "/usr",
    env: { ...ENV, ONLY: "yes" },
  });
  assert.equal(r.stdout, "yes:unset\n/usr\n");
  const k = await runCommand({ argv: ["bash", "-c", "kill -TERM $$"], cwd: "/", env: ENV });
  assert.equal(k.exitCode, 143);
});

Deno.test("runCommand: spawn failures are SpawnError", async () => {
  await assert.rejects(
    runCommand({ argv: ["no-such-program-xyz"], cwd: "/", env: ENV }),
    (e: unknown) =>
      e instanceof SpawnError && /failed to start 'no-such-program-xyz'/.test(e.message),
  );
  await assert.rejects(
    runCommand({ argv: ["true"], cwd: "/no/such/dir", env: ENV }),
    (e: unknown) => e instanceof SpawnError && /working directory/.test(e.message),
  );
});

Deno.test("runCommand: a background child does not hold the result", async () => {
  const marker = `30.${Math.floor(Math.random() * 1e6)}`;
  const t0 = performance.now();
  const r = await runCommand({
    argv: ["bash", "-c", `sleep ${marker} & echo hi`],
    cwd: "/",
    env: ENV,
  });
  assert.equal(r.stdout, "hi\n");
  assert.equal(r.exitCode, 0);
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(await alive(`sleep ${marker}`), false);
});

Deno.test("runCommand: abort kills the whole group quickly", async () => {
  const marker = `31.${Math.floor(Math.random() * 1e6)}`;
  const ctrl = new AbortController();
  const t0 = performance.now();
  const p = runCommand({
    argv: ["bash", "-c", `sleep ${marker}; echo never`],
    cwd: "/",
    env: ENV,
    signal: ctrl.signal,
  });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await alive(`sleep ${marker}`), true);
  const abortedAt = performance.now();
  ctrl.abort();
  const r = await p;
  assert.ok(performance.now() - abortedAt < 1000);
  assert.equal(r.aborted, true);
  assert.equal(r.exitCode, 137);
  assert.equal(r.stdout, "");
  assert.ok(performance.now() - t0 < 3000);
  assert.equal(await alive(`sleep ${marker}`), false);
});

Deno.test("runCommand: timeout kills and reports timedOut", async () => {
  const t0 = performance.now();
  const r = await runCommand({
    argv: ["bash", "-c", "echo started; sleep 20"],
    cwd: "/",
    env: ENV,
    timeoutMs: 300,
  });
  assert.equal(r.timedOut, true);
  assert.equal(r.exitCode, 137);
  assert.equal(r.stdout, "started\n");
  assert.ok(performance.now() - t0 < 2000);
});

Deno.test("runCommand: 50 MB streams through with a bounded capture", async () => {
  let streamed = 0;
  const before = Deno.memoryUsage().rss;
  const r = await runCommand({
    argv: ["bash", "-c", "head -c 50000000 /dev/zero | tr '\\0' a; echo END"],
    cwd: "/",
    env: ENV,
    maxCaptureBytes: 1024 * 1024,
    onOutput: (c) => {
      streamed += c.length;
    },
  });
  assert.equal(r.exitCode, 0);
  assert.equal(streamed, 50_000_004);
  assert.ok(r.stdout.startsWith("a".repeat(512 * 1024)));
  assert.ok(r.stdout.endsWith("aaaaEND\n"));
  assert.ok(r.stdout.includes("\n[... 48951428 bytes omitted ...]\n"));
  assert.ok(r.stdout.length < 1024 * 1024 + 100);
  assert.ok(r.aggregated.length < 1024 * 1024 + 100);
  const grown = Deno.memoryUsage().rss - before;
  assert.ok(grown < 200 * 1024 * 1024, `rss grew by ${grown}`);
});

Deno.test("runCommand: UTF-8 split across reads is decoded whole", async () => {
  const r = await runCommand({
    argv: ["bash", "-c", "printf '\\xc3'; sleep 0.05; printf '\\xa9\\n'"],
    cwd: "/",
    env: ENV,
  });
  assert.equal(r.stdout, "é\n");
});

Deno.test("runCommand: read-only sandbox denial is recognised", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spec: SandboxSpec = { kind: "readOnly", network: false };
    const r = await runCommand({
      argv: ["touch", `${dir}/x`],
      cwd: dir,
      env: ENV,
      sandbox: spec,
      bwrapPath: await bwrapPath(),
    });
    assert.notEqual(r.exitCode, 0);
    assert.equal(r.sandboxDenied, true);
    const dev = await runCommand({
      argv: ["bash", "-c", "echo x > /dev/null && echo fine"],
      cwd: dir,
      env: ENV,
      sandbox: spec,
      bwrapPath: await bwrapPath(),
    });
    assert.equal(dev.stdout, "fine\n");
    const plain = await runCommand({ argv: ["touch", `${dir}/x`], cwd: dir, env: ENV });
    assert.equal(plain.exitCode, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runCommand: network is cut off without network access", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const argv = ["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`];
    const path = await bwrapPath();
    const blocked = await runCommand({
      argv,
      cwd: "/",
      env: ENV,
      sandbox: { kind: "readOnly", network: false },
      bwrapPath: path,
    });
    assert.notEqual(blocked.exitCode, 0);
    assert.equal(blocked.sandboxDenied, true, blocked.aggregated);
    const open = await runCommand({
      argv,
      cwd: "/",
      env: ENV,
      sandbox: { kind: "readOnly", network: true },
      bwrapPath: path,
    });
    assert.equal(open.stdout, "connected\n", open.aggregated);
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
});

Deno.test("runCommand: argv[0] keeps its given name inside the sandbox", async () => {
  const r = await runCommand({
    argv: ["bash", "-c", 'echo "$0"'],
    cwd: "/",
    env: ENV,
    sandbox: { kind: "readOnly", network: false },
    bwrapPath: await bwrapPath(),
  });
  assert.equal(r.stdout, "bash\n");
});

Deno.test("pace holds reading back without losing output; a timeout releases it", async () => {
  const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  let gate: () => void = () => {};
  let waits = 0;
  const pace = () => {
    waits++;
    return new Promise<void>((resolve) => gate = resolve);
  };
  const run = runCommand({
    argv: ["bash", "-c", "head -c 300000 /dev/zero | tr '\\0' a; echo done"],
    cwd: "/tmp",
    env,
    pace,
  });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(waits, 1, "one chunk read, then held back");
  // Let it through chunk by chunk.
  const timer = setInterval(() => gate(), 5);
  const result = await run;
  clearInterval(timer);
  assert.equal(result.exitCode, 0);
  assert.equal(result.stdout.length, 300005);
  assert.ok(waits > 1);

  const stuck = await runCommand({
    argv: ["bash", "-c", "head -c 300000 /dev/zero | tr '\\0' a"],
    cwd: "/tmp",
    env,
    timeoutMs: 300,
    pace: () => new Promise<void>(() => {}),
  });
  assert.equal(stuck.timedOut, true);
});
