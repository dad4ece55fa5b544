/**
 * Black-box tests of the websocket transport: startup banner, framing (one JSON message per
 * text frame, binary dropped, parse errors), per-connection handshake state and routing,
 * the process-wide originator, and shutdown by signal.
 */

import assert from "node:assert/strict";
import { type Msg, WsClient } from "./support/clients.ts";
import { ServerProcess } from "./support/server.ts";
import {
  initializeParams,
  RawWsClient,
  sleep,
  startWsServer,
  within,
  withWsServer,
} from "./support/ws_helpers.ts";

/** All messages `client` received that answer request `id`. */
function repliesTo(client: { received: Msg[] }, id: unknown): Msg[] {
  return client.received.filter((m) => m.id === id && !("method" in m));
}

Deno.test("websocket banner: 127.0.0.1:0 prints listening, readyz, healthz and note lines on stderr", async () => {
  await withWsServer({}, async ({ server, port }) => {
    assert.ok(port > 0 && port < 65536, `port ${port}`);
    await server.waitForStderr(/note: .*\n/);
    const lines = server.stderr.split("\n");
    const at = lines.indexOf("codex app-server (WebSockets)");
    assert.ok(at >= 0, `banner title missing:\n${server.stderr}`);
    assert.deepEqual(lines.slice(at + 1, at + 4), [
      `  listening on: ws://127.0.0.1:${port}`,
      `  readyz: http://127.0.0.1:${port}/readyz`,
      `  healthz: http://127.0.0.1:${port}/healthz`,
    ]);
    assert.match(lines[at + 4]!, /^ {2}note: \S/);
    assert.match(lines[at + 4]!, /localhost/);
    // NO_COLOR is set by the harness: no escape sequences in the banner.
    assert.ok(!lines.slice(at, at + 5).join("\n").includes("\x1b["));
    // And the port it printed is the one that serves.
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    await res.body?.cancel();
    assert.equal(res.status, 200);
  });
});

Deno.test("websocket banner: ws://[::1]:0 binds IPv6 loopback and serves JSON-RPC there", async () => {
  const server = await ServerProcess.start({ args: ["--listen", "ws://[::1]:0"] });
  try {
    const m = await server.waitForStderr(/listening on: ws:\/\/\[::1\]:(\d+)/);
    const port = Number(m[1]);
    await server.waitForStderr(/readyz: http:\/\/\[::1\]:\d+\/readyz/);
    const client = await RawWsClient.connect(port, {}, "::1");
    try {
      await client.send({ id: 1, method: "mock/experimentalMethod", params: { value: "early" } });
      await client.send({
        id: 2,
        method: "initialize",
        params: initializeParams("v6", { experimentalApi: true }),
      });
      await client.send({ id: 3, method: "mock/experimentalMethod", params: { value: "v6" } });
      const { messages } = await within(
        5_000,
        "replies over ::1",
        client.readMessages((all) => all.length >= 3),
      );
      assert.deepEqual(messages[0], {
        error: { code: -32600, message: "Not initialized" },
        id: 1,
      });
      assert.match(messages[1]!.result.userAgent, /^v6\//);
      assert.deepEqual(messages[2], { id: 3, result: { echoed: "v6" } });
    } finally {
      client.close();
    }
  } finally {
    await server.close();
  }
});

Deno.test("websocket framing: a binary frame is dropped without a reply and the connection keeps working", async () => {
  await withWsServer({ env: { RUST_LOG: "warn" } }, async ({ server, port }) => {
    const client = await WsClient.connect(port);
    await client.initialize({ experimentalApi: true });
    const before = client.received.length;
    client.socket.send(
      new TextEncoder().encode(JSON.stringify({ id: 77, method: "mock/experimentalMethod" })),
    );
    await server.waitForStderr(/dropping unsupported binary websocket message/);
    const echo = await client.request("mock/experimentalMethod", { value: "after-binary" });
    assert.deepEqual(echo.result, { echoed: "after-binary" });
    // Exactly one new message: the echo. Nothing for the binary frame (id 77 never answered).
    assert.equal(client.received.length, before + 1);
    assert.deepEqual(repliesTo(client, 77), []);
    assert.equal(client.closed, false);
    await client.close();
  });
});

Deno.test("websocket framing: two JSON values in one text frame get one -32700 with id null", async () => {
  await withWsServer({}, async ({ port }) => {
    const client = await WsClient.connect(port);
    await client.initialize({ experimentalApi: true });
    const before = client.received.length;
    await client.sendRaw(
      '{"id":1,"method":"mock/experimentalMethod","params":{"value":"a"}} {"id":2,"method":"mock/experimentalMethod","params":{"value":"b"}}',
    );
    const err = await client.waitFor((m) => m.error?.code === -32700, "parse error");
    assert.equal(err.id, null);
    assert.equal(typeof err.error.message, "string");
    // Neither embedded request ran.
    const echo = await client.request("mock/experimentalMethod", { value: "c" }, 3);
    assert.deepEqual(echo.result, { echoed: "c" });
    assert.deepEqual(repliesTo(client, 1), []);
    assert.deepEqual(repliesTo(client, 2), []);
    assert.equal(client.received.length, before + 2);
    await client.close();
  });
});

Deno.test("websocket framing: invalid JSON gets -32700 (id null) in arrival order and the connection stays open", async () => {
  await withWsServer({}, async ({ port }) => {
    const client = await WsClient.connect(port);
    await client.initialize({ experimentalApi: true });
    const before = client.received.length;
    await client.sendRaw("{not json");
    await client.send({ id: "after", method: "mock/experimentalMethod", params: { value: "1" } });
    await client.sendRaw("");
    await client.send({ id: "last", method: "mock/experimentalMethod", params: { value: "2" } });
    await client.waitFor((m) => m.id === "last", "response to the last request");
    const got = client.received.slice(before);
    assert.equal(got.length, 4, JSON.stringify(got));
    assert.equal(got[0]!.error.code, -32700);
    assert.equal(got[0]!.id, null);
    assert.deepEqual(got[1], { id: "after", result: { echoed: "1" } });
    assert.equal(got[2]!.error.code, -32700);
    assert.deepEqual(got[3], { id: "last", result: { echoed: "2" } });
    assert.equal(client.closed, false);
    await client.close();
  });
});

Deno.test("websocket framing: an oversized text frame gets -32600 messageTooLarge with its id and the connection stays open", async () => {
  await withWsServer({ env: { CODEX_APP_SERVER_MAX_MESSAGE_BYTES: "4096" } }, async ({ port }) => {
    const client = await WsClient.connect(port);
    await client.initialize({ experimentalApi: true });
    const reply = await client.request("mock/experimentalMethod", { value: "z".repeat(8192) }, 42);
    assert.equal(reply.error.code, -32600);
    assert.equal(reply.error.data.reason, "messageTooLarge");
    assert.equal(reply.error.data.limitBytes, 4096);
    const echo = await client.request("mock/experimentalMethod", { value: "small" });
    assert.deepEqual(echo.result, { echoed: "small" });
    await client.close();
  });
});

Deno.test("websocket framing: the message size limit counts UTF-8 bytes, as on stdio", async () => {
  await withWsServer({ env: { CODEX_APP_SERVER_MAX_MESSAGE_BYTES: "4096" } }, async ({ port }) => {
    const client = await WsClient.connect(port);
    await client.initialize({ experimentalApi: true });
    // 2000 x "€" is 6000 bytes of UTF-8 but only 2000 UTF-16 code units.
    const value = "€".repeat(2000);
    const frame = JSON.stringify({ id: 43, method: "mock/experimentalMethod", params: { value } });
    assert.ok(new TextEncoder().encode(frame).length > 4096);
    assert.ok(frame.length < 4096);
    await client.sendRaw(frame);
    const reply = await client.waitFor((m) => m.id === 43, "reply to the oversized frame");
    assert.equal(
      reply.error?.code,
      -32600,
      `accepted a ${frame.length}-char frame: ${JSON.stringify(reply).slice(0, 120)}`,
    );
    assert.equal(reply.error.data.reason, "messageTooLarge");
    await client.close();
  });
});

Deno.test("websocket framing: a ping frame is answered with a pong carrying the same payload", async () => {
  await withWsServer({}, async ({ port }) => {
    const raw = await RawWsClient.connect(port);
    try {
      await raw.sendFrame(9, new TextEncoder().encode("are-you-there"));
      const frame = await within(5_000, "pong", raw.readFrame());
      assert.equal(frame?.opcode, 10);
      assert.equal(new TextDecoder().decode(frame!.payload), "are-you-there");
      // And the connection still speaks JSON-RPC.
      await raw.send({ id: 1, method: "initialize", params: initializeParams("pinger") });
      const { messages } = await within(5_000, "init", raw.readMessages((m) => m.length >= 1));
      assert.match(messages[0]!.result.userAgent, /\(pinger; 1\.0\)$/);
    } finally {
      raw.close();
    }
  });
});

Deno.test("websocket handshake state: each connection must initialize itself, even after another did", async () => {
  await withWsServer({}, async ({ port }) => {
    const a = await WsClient.connect(port);
    const b = await WsClient.connect(port);
    const initA = await a.initialize({ name: "first", experimentalApi: true });
    assert.ok(initA.result.userAgent);
    const early = await b.request("mock/experimentalMethod", { value: "x" }, "b-early");
    assert.deepEqual(early.error, { code: -32600, message: "Not initialized" });
    assert.equal(early.id, "b-early");
    // A is unaffected by B's failure, and B can still initialize afterwards.
    const echoA = await a.request("mock/experimentalMethod", { value: "a" });
    assert.deepEqual(echoA.result, { echoed: "a" });
    assert.ok((await b.initialize({ name: "second", experimentalApi: true })).result.userAgent);
    const echoB = await b.request("mock/experimentalMethod", { value: "b" });
    assert.deepEqual(echoB.result, { echoed: "b" });
    // A second initialize on an initialized connection is refused.
    const again = await a.initialize({ name: "first" });
    assert.deepEqual(again.error, { code: -32600, message: "Already initialized" });
    await a.close();
    await b.close();
  });
});

Deno.test("websocket routing: initialize responses go only to the connection that asked", async () => {
  await withWsServer({}, async ({ port }) => {
    const a = await WsClient.connect(port);
    const b = await WsClient.connect(port);
    const c = await WsClient.connect(port); // never initializes
    const initA = await a.initialize({ name: "alpha", version: "1.0" });
    await sleep(100);
    assert.equal(b.received.length, 0, JSON.stringify(b.received));
    assert.equal(c.received.length, 0, JSON.stringify(c.received));
    const initB = await b.initialize({ name: "beta", version: "2.0" });
    await sleep(100);
    assert.equal(a.received.length, 1, JSON.stringify(a.received));
    assert.deepEqual(a.received[0], initA);
    assert.equal(b.received.length, 1, JSON.stringify(b.received));
    assert.deepEqual(b.received[0], initB);
    assert.equal(c.received.length, 0, JSON.stringify(c.received));
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

Deno.test("websocket routing: the same request ids used on two connections at once are answered independently, once each", async () => {
  await withWsServer({}, async ({ port }) => {
    const a = await WsClient.connect(port);
    const b = await WsClient.connect(port);
    await Promise.all([
      a.initialize({ experimentalApi: true }),
      b.initialize({ experimentalApi: true }),
    ]);
    const ids = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? i : `id-${i}`));
    const before = { a: a.received.length, b: b.received.length };
    // Interleave sends so both connections have the same ids in flight together.
    for (const id of ids) {
      await a.send({ id, method: "mock/experimentalMethod", params: { value: `A:${id}` } });
      await b.send({ id, method: "mock/experimentalMethod", params: { value: `B:${id}` } });
    }
    const last = ids.at(-1)!;
    await Promise.all([
      a.waitFor((m) => m.id === last, "A's last reply"),
      b.waitFor((m) => m.id === last, "B's last reply"),
    ]);
    await sleep(100);
    for (const [name, client] of [["A", a], ["B", b]] as const) {
      const got = client.received.slice(name === "A" ? before.a : before.b);
      assert.equal(got.length, ids.length, `${name} got ${got.length} replies`);
      for (const id of ids) {
        const replies = repliesTo({ received: got }, id);
        assert.equal(replies.length, 1, `${name} replies to ${id}: ${JSON.stringify(replies)}`);
        assert.deepEqual(replies[0]!.result, { echoed: `${name}:${id}` });
      }
    }
    await Promise.all([a.close(), b.close()]);
  });
});

Deno.test("websocket originator: the first client to initialize names it for the process; later UAs end with their own name", async () => {
  await withWsServer({}, async ({ port }) => {
    const first = await WsClient.connect(port);
    const second = await WsClient.connect(port);
    const initFirst = await first.initialize({ name: "alpha_client", version: "1.2.3" });
    const initSecond = await second.initialize({ name: "beta_client", version: "9.8" });
    const uaFirst: string = initFirst.result.userAgent;
    const uaSecond: string = initSecond.result.userAgent;
    assert.match(uaFirst, /^alpha_client\/0\.105\.0 \(/);
    assert.ok(uaFirst.endsWith("(alpha_client; 1.2.3)"), uaFirst);
    assert.match(uaSecond, /^alpha_client\/0\.105\.0 \(/);
    assert.ok(uaSecond.endsWith("(beta_client; 9.8)"), uaSecond);
    assert.ok(!uaSecond.includes("alpha_client; 1.2.3"), uaSecond);
    // A third client after the first one left still gets the first originator.
    await first.close();
    const third = await WsClient.connect(port);
    const uaThird: string = (await third.initialize({ name: "gamma", version: "0" })).result
      .userAgent;
    assert.match(uaThird, /^alpha_client\/0\.105\.0 /);
    assert.ok(uaThird.endsWith("(gamma; 0)"), uaThird);
    await Promise.all([second.close(), third.close()]);
  });
});

Deno.test("websocket originator: a refused initialize (invalid clientInfo.name) does not claim the originator", async () => {
  await withWsServer({}, async ({ port }) => {
    const bad = await WsClient.connect(port);
    const good = await WsClient.connect(port);
    const refused = await bad.initialize({ name: "bad\nname" });
    assert.equal(refused.error?.code, -32600);
    assert.equal(
      refused.error.message,
      "Invalid clientInfo.name: 'bad\nname'. Must be a valid HTTP header value.",
    );
    const ua: string = (await good.initialize({ name: "good_one", version: "3" })).result.userAgent;
    assert.match(ua, /^good_one\/0\.105\.0 /);
    // The refused connection stays uninitialized and may retry.
    const notYet = await bad.request("mock/experimentalMethod", { value: "x" });
    assert.deepEqual(notYet.error, { code: -32600, message: "Not initialized" });
    const retry: string = (await bad.initialize({ name: "bad_fixed", version: "4" })).result
      .userAgent;
    assert.match(retry, /^good_one\/0\.105\.0 /);
    assert.ok(retry.endsWith("(bad_fixed; 4)"), retry);
    await Promise.all([bad.close(), good.close()]);
  });
});

Deno.test("websocket capabilities: experimentalApi is per connection", async () => {
  await withWsServer({}, async ({ port }) => {
    const a = await WsClient.connect(port);
    const b = await WsClient.connect(port);
    await a.initialize({ name: "exp", experimentalApi: true });
    await b.initialize({ name: "plain", experimentalApi: false });
    const okA = await a.request("mock/experimentalMethod", { value: "on-a" });
    assert.deepEqual(okA.result, { echoed: "on-a" });
    const errB = await b.request("mock/experimentalMethod", { value: "on-b" });
    assert.equal(errB.error.code, -32600);
    assert.equal(errB.error.message, "mock/experimentalMethod requires experimentalApi capability");
    // A keeps its capability after B was refused.
    const okA2 = await a.request("mock/experimentalMethod", { value: "again" });
    assert.deepEqual(okA2.result, { echoed: "again" });
    await Promise.all([a.close(), b.close()]);
  });
});

Deno.test("websocket lifecycle: closing one client (cleanly or by dropping TCP) does not affect the others", async () => {
  await withWsServer({}, async ({ port }) => {
    const keeper = await WsClient.connect(port);
    await keeper.initialize({ experimentalApi: true });
    const leaver = await WsClient.connect(port);
    await leaver.initialize({ experimentalApi: true });
    const dropper = await RawWsClient.connect(port);
    await dropper.send({ id: 1, method: "initialize", params: initializeParams("dropper") });
    await within(5_000, "dropper init", dropper.readMessages((all) => all.length >= 1));
    // Leave a request in flight on the dropped socket, then vanish without a close frame.
    await dropper.send({ id: 2, method: "mock/experimentalMethod", params: { value: "gone" } });
    dropper.close();
    await leaver.close();
    await sleep(100);
    for (let i = 0; i < 5; i++) {
      const echo = await keeper.request("mock/experimentalMethod", { value: `v${i}` });
      assert.deepEqual(echo.result, { echoed: `v${i}` });
    }
    assert.equal(keeper.closed, false);
    const late = await WsClient.connect(port);
    assert.ok((await late.initialize()).result.userAgent);
    await Promise.all([keeper.close(), late.close()]);
  });
});

Deno.test("websocket shutdown: SIGINT closes open connections and exits 0", async () => {
  const { server, port } = await startWsServer();
  try {
    const client = await WsClient.connect(port);
    await client.initialize();
    server.child.kill("SIGINT");
    const reason = await client.waitClosed(5_000);
    assert.match(reason, /^close 1001 /);
    const status = await server.exited(5_000);
    assert.equal(status.code, 0, server.stderr);
    assert.equal(status.success, true);
    // Nothing listens any more.
    await assert.rejects(() =>
      Deno.connect({ hostname: "127.0.0.1", port }).then((c) => c.close())
    );
  } finally {
    await server.close();
  }
});

Deno.test("websocket shutdown: SIGTERM exits 0 and the client sees its connection end", async () => {
  const { server, port } = await startWsServer();
  try {
    const client = await WsClient.connect(port);
    await client.initialize();
    server.child.kill("SIGTERM");
    const status = await server.exited(5_000);
    assert.equal(status.code, 0, server.stderr);
    await client.waitClosed(5_000);
  } finally {
    await server.close();
  }
});
