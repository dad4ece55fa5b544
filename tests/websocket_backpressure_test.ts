/**
 * Black-box tests of the websocket outbound budget and inbound overload. A "slow" peer is a
 * raw TCP websocket client that sends requests with large echo values and does not read, so
 * the responses pile up in the kernel buffers and then in the server. Limits are tightened
 * through the `CODEX_APP_SERVER_*` environment variables.
 */

import assert from "node:assert/strict";
import { type Msg, WsClient } from "./support/clients.ts";
import {
  initializeParams,
  RawWsClient,
  sleep,
  within,
  withWsServer,
} from "./support/ws_helpers.ts";

const KIB = 1024;
const MIB = 1024 * KIB;

/** A raw client that has initialized with the experimental API (so it can call the echo). */
async function slowPeer(port: number): Promise<RawWsClient> {
  const raw = await RawWsClient.connect(port);
  await raw.send({
    id: 0,
    method: "initialize",
    params: initializeParams("slow-peer", { experimentalApi: true }),
  });
  const { messages } = await within(
    5_000,
    "slow peer init",
    raw.readMessages((m) => m.length >= 1),
  );
  assert.ok(messages[0]?.result?.userAgent, JSON.stringify(messages[0]));
  return raw;
}

/**
 * Sends `count` echo requests of `size` bytes each (ids 1..count) without reading. Stops early
 * when the server drops the connection; returns how many were written.
 */
async function flood(raw: RawWsClient, count: number, size: number): Promise<number> {
  const value = "x".repeat(size);
  let sent = 0;
  try {
    for (let id = 1; id <= count; id++) {
      await raw.send({ id, method: "mock/experimentalMethod", params: { value } });
      sent++;
    }
  } catch {
    // reset by the server: it cut the peer off
  }
  return sent;
}

/** Keeps a normal client doing round trips and records the slowest one. */
function startProber(client: WsClient): { stop: () => Promise<{ maxMs: number; count: number }> } {
  let running = true;
  let maxMs = 0;
  let count = 0;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const value = `probe-${count}`;
      const reply = await client.request("mock/experimentalMethod", { value });
      assert.deepEqual(reply.result, { echoed: value });
      maxMs = Math.max(maxMs, performance.now() - started);
      count++;
      await sleep(10);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { maxMs, count };
    },
  };
}

/** Reads until the server ends the stream (close frame or EOF/reset). */
async function readUntilClosed(raw: RawWsClient, ms: number) {
  return await within(ms, "the server to disconnect the slow peer", raw.readMessages());
}

Deno.test("websocket backpressure: a peer that stops reading is cut off at the byte budget while another client stays fast", async () => {
  await withWsServer({
    env: { RUST_LOG: "warn", CODEX_APP_SERVER_WS_MAX_QUEUED_BYTES: String(1 * MIB) },
  }, async ({ server, port }) => {
    const good = await WsClient.connect(port);
    await good.initialize({ name: "good", experimentalApi: true });
    const raw = await slowPeer(port);
    const prober = startProber(good);
    try {
      const started = performance.now();
      const count = 400;
      const sent = await flood(raw, count, 64 * KIB);
      const log = await server.waitForStderr(
        /disconnecting slow connection: ConnectionId\((\d+)\)(.*outbound queue filled.*)/,
        5_000,
      );
      assert.equal(log[1], "2", "the slow peer was the second connection");
      assert.match(log[2]!, /outbound queue filled \(\d+ messages, \d+ bytes behind\)/);
      // The peer's socket is ended: reading now hits a close frame or EOF, not 400 replies.
      const end = await readUntilClosed(raw, 5_000);
      const elapsed = performance.now() - started;
      assert.ok(end.eof || end.closeCode === 1013, `close code ${end.closeCode}`);
      assert.ok(end.messages.length < sent, `${end.messages.length} replies of ${sent} requests`);
      assert.ok(raw.bytesRead < count * 64 * KIB / 2, `read ${raw.bytesRead} bytes`);
      assert.ok(elapsed < 8_000, `took ${elapsed} ms`);
      await sleep(200);
    } finally {
      raw.close();
      const { maxMs, count } = await prober.stop();
      assert.ok(count >= 5, `only ${count} probes ran`);
      assert.ok(maxMs < 1_000, `slowest round trip of the other client: ${maxMs} ms`);
    }
    // The server still serves: the old client and a brand-new one.
    const fresh = await WsClient.connect(port);
    await fresh.initialize({ experimentalApi: true });
    assert.deepEqual(
      (await fresh.request("mock/experimentalMethod", { value: "after" })).result,
      { echoed: "after" },
    );
    assert.equal(good.closed, false);
    await Promise.all([good.close(), fresh.close()]);
  });
});

Deno.test("websocket backpressure: WS_MAX_QUEUED_MESSAGES cuts off a non-reading peer by message count", async () => {
  await withWsServer({
    env: { RUST_LOG: "warn", CODEX_APP_SERVER_WS_MAX_QUEUED_MESSAGES: "16" },
  }, async ({ server, port }) => {
    const raw = await slowPeer(port);
    try {
      await flood(raw, 300, 64 * KIB);
      const log = await server.waitForStderr(
        /disconnecting slow connection.*ConnectionId\(1\)(.*)/,
        5_000,
      );
      // Over the limit by one message, far under the 64 MiB byte budget.
      assert.match(log[1]!, /outbound queue filled \(17 messages, (\d+) bytes behind\)/);
      const bytesBehind = Number(/\((?:\d+) messages, (\d+) bytes/.exec(log[1]!)![1]);
      assert.ok(bytesBehind < 64 * MIB, String(bytesBehind));
      const end = await readUntilClosed(raw, 5_000);
      assert.ok(end.eof || end.closeCode === 1013, `close code ${end.closeCode}`);
      assert.ok(end.messages.length < 300);
    } finally {
      raw.close();
    }
  });
});

Deno.test("websocket backpressure: WS_STALL_TIMEOUT_MS disconnects a stalled peer within the timeout even with a large byte budget", async () => {
  const stallMs = 600;
  await withWsServer({
    env: { RUST_LOG: "warn", CODEX_APP_SERVER_WS_STALL_TIMEOUT_MS: String(stallMs) },
  }, async ({ server, port }) => {
    const good = await WsClient.connect(port);
    await good.initialize({ experimentalApi: true });
    const raw = await slowPeer(port);
    const prober = startProber(good);
    try {
      const started = performance.now();
      // ~10 MB of replies: well within the default 64 MiB budget, but more than the kernel
      // buffers hold, so the socket stops draining.
      const sent = await flood(raw, 150, 64 * KIB);
      assert.equal(sent, 150, "the byte budget alone must not cut this peer off");
      // Do not read yet: reading would be progress. Watch the log for the cut-off instead.
      const log = await server.waitForStderr(
        /disconnecting slow connection.*ConnectionId\(2\)(.*)/,
        stallMs + 4_000,
      );
      const elapsed = performance.now() - started;
      assert.match(log[1]!, new RegExp(`no outbound progress for ${stallMs} ms`));
      assert.ok(elapsed >= stallMs, `disconnected after ${elapsed} ms, before the stall timeout`);
      assert.ok(elapsed < stallMs + 3_000, `disconnected only after ${elapsed} ms`);
      // The socket really is ended: what was in flight drains, then a close frame or EOF.
      const end = await readUntilClosed(raw, 5_000);
      assert.ok(end.eof || end.closeCode === 1013, `close code ${end.closeCode}`);
      assert.ok(end.messages.length < 150, `${end.messages.length} replies arrived`);
    } finally {
      raw.close();
      const { maxMs, count } = await prober.stop();
      assert.ok(count >= 5, `only ${count} probes ran`);
      assert.ok(maxMs < 1_000, `slowest round trip of the other client: ${maxMs} ms`);
    }
    await good.close();
  });
});

// Deno.upgradeWebSocket offers no way to abort the TCP connection of a peer that never reads
// (README: limits), so what a cut-off guarantees is this: the server drops the peer at once,
// answers nothing it sends afterwards, and ends the stream as soon as the peer reads again.
Deno.test("websocket backpressure: after a stall cut-off nothing more is answered and the stream ends", async () => {
  const stallMs = 500;
  await withWsServer({
    env: { RUST_LOG: "warn", CODEX_APP_SERVER_WS_STALL_TIMEOUT_MS: String(stallMs) },
  }, async ({ server, port }) => {
    const raw = await slowPeer(port);
    try {
      assert.equal(await flood(raw, 150, 64 * KIB), 150);
      await server.waitForStderr(
        /disconnecting slow connection: ConnectionId\(1\).*no outbound progress/,
        stallMs + 4_000,
      );
      for (let i = 0; i < 20; i++) {
        await raw.send({
          id: `late-${i}`,
          method: "mock/experimentalMethod",
          params: { value: "p" },
        })
          .catch(() => {});
      }
      const end = await readUntilClosed(raw, 8_000);
      assert.ok(end.eof || end.closeCode === 1013, `close code ${end.closeCode}`);
      assert.ok(end.messages.length < 150, `${end.messages.length} replies arrived`);
      assert.equal(
        end.messages.filter((m) => String(m.id).startsWith("late-")).length,
        0,
        "requests sent after the cut-off must not be answered",
      );
    } finally {
      raw.close();
    }
  });
});

Deno.test("websocket backpressure: a peer that pauses reading within the budget is kept and gets every reply in order", async () => {
  // Default outbound limits; the inbound queue is raised above the request count so that no
  // request can be refused with -32001 while the peer is not reading (that reply would
  // legitimately overtake the queued results).
  await withWsServer({
    env: { RUST_LOG: "warn", CODEX_APP_SERVER_INBOUND_QUEUE_CAPACITY: "1000" },
  }, async ({ server, port }) => {
    const raw = await slowPeer(port);
    try {
      const count = 150;
      const size = 64 * KIB;
      assert.equal(await flood(raw, count, size), count);
      await sleep(1_500);
      const { messages, closeCode, eof } = await within(
        8_000,
        "all replies after the pause",
        raw.readMessages((m) => m.length >= count),
      );
      assert.equal(closeCode, null);
      assert.equal(eof, false);
      assert.deepEqual(messages.map((m) => m.id), Array.from({ length: count }, (_, i) => i + 1));
      for (const m of messages) {
        assert.equal(m.result?.echoed?.length, size, JSON.stringify(m).slice(0, 200));
      }
      await raw.send({ id: "next", method: "mock/experimentalMethod", params: { value: "ok" } });
      const next = await within(
        5_000,
        "reply after catching up",
        raw.readMessages((m) => m.length >= 1),
      );
      assert.deepEqual(next.messages[0], { id: "next", result: { echoed: "ok" } });
      assert.doesNotMatch(server.stderr, /disconnecting slow connection/);
    } finally {
      raw.close();
    }
  });
});

Deno.test("websocket backpressure: above the soft limit requests wait (no -32001) while the inbound queue has room", async () => {
  await withWsServer({
    env: {
      CODEX_APP_SERVER_WS_SOFT_LIMIT_BYTES: String(256 * KIB),
      CODEX_APP_SERVER_WS_SOCKET_WINDOW_BYTES: String(64 * KIB),
      CODEX_APP_SERVER_INBOUND_QUEUE_CAPACITY: "400",
    },
  }, async ({ port }) => {
    const raw = await slowPeer(port);
    try {
      // ~8 MB of replies, more than the kernel buffers absorb, so the connection goes over
      // its soft limit and its requests must wait; 250 < the capacity of 400, so none may be
      // refused and every reply must come, in request order.
      const count = 250;
      const started = performance.now();
      assert.equal(await flood(raw, count, 32 * KIB), count);
      await sleep(300);
      const { messages } = await within(
        8_000,
        "every reply",
        raw.readMessages((m) => m.length >= count),
      );
      const elapsed = performance.now() - started;
      assert.deepEqual(messages.map((m) => m.id), Array.from({ length: count }, (_, i) => i + 1));
      assert.ok(messages.every((m) => m.result?.echoed?.length === 32 * KIB));
      assert.ok(elapsed < 8_000, `took ${elapsed} ms`);
    } finally {
      raw.close();
    }
  });
});

Deno.test("websocket backpressure: a saturated, non-reading peer gets -32001 inboundQueueFull beyond the queue capacity; every id answered once", async () => {
  await withWsServer({
    env: {
      CODEX_APP_SERVER_INBOUND_QUEUE_CAPACITY: "8",
      CODEX_APP_SERVER_WS_SOFT_LIMIT_BYTES: String(64 * KIB),
      CODEX_APP_SERVER_WS_MAX_QUEUED_BYTES: String(256 * MIB),
    },
  }, async ({ port }) => {
    const other = await WsClient.connect(port);
    await other.initialize({ experimentalApi: true });
    const raw = await slowPeer(port);
    try {
      const count = 500;
      const started = performance.now();
      assert.equal(await flood(raw, count, 32 * KIB), count);
      // Another connection is not affected by this one's full queue.
      const otherReply = await other.request("mock/experimentalMethod", { value: "unaffected" });
      assert.deepEqual(otherReply.result, { echoed: "unaffected" });
      await sleep(200);
      const { messages } = await within(
        10_000,
        "an answer to every request",
        raw.readMessages((m) => m.length >= count),
      );
      const elapsed = performance.now() - started;
      const byId = new Map<unknown, Msg[]>();
      for (const m of messages) byId.set(m.id, [...(byId.get(m.id) ?? []), m]);
      for (let id = 1; id <= count; id++) {
        assert.equal(byId.get(id)?.length, 1, `id ${id}: ${JSON.stringify(byId.get(id))}`);
      }
      const overloaded = messages.filter((m) => m.error);
      const ok = messages.filter((m) => m.result);
      assert.equal(overloaded.length + ok.length, count);
      assert.ok(overloaded.length > 0, "no request was refused");
      assert.ok(ok.length >= 8, `only ${ok.length} requests ran`);
      for (const m of overloaded) {
        assert.equal(m.error.code, -32001, JSON.stringify(m));
        assert.equal(m.error.message, "Server overloaded; retry later.");
        assert.equal(m.error.data.reason, "inboundQueueFull");
        assert.ok(Number.isInteger(m.error.data.retryAfterMs) && m.error.data.retryAfterMs > 0);
      }
      for (const m of ok) assert.equal(m.result.echoed.length, 32 * KIB);
      assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
      // Once drained, the connection serves requests normally again.
      await raw.send({ id: "again", method: "mock/experimentalMethod", params: { value: "v" } });
      const again = await within(
        5_000,
        "reply after overload",
        raw.readMessages((m) => m.length >= 1),
      );
      assert.deepEqual(again.messages[0], { id: "again", result: { echoed: "v" } });
    } finally {
      raw.close();
      await other.close();
    }
  });
});

Deno.test("websocket backpressure: SIGINT exits 0 promptly while a peer is not reading", async () => {
  await withWsServer({}, async ({ server, port }) => {
    const good = await WsClient.connect(port);
    await good.initialize();
    const raw = await slowPeer(port);
    try {
      assert.equal(await flood(raw, 150, 64 * KIB), 150);
      const started = performance.now();
      server.child.kill("SIGINT");
      const status = await server.exited(5_000);
      assert.equal(status.code, 0, server.stderr);
      assert.ok(performance.now() - started < 3_000);
      assert.match(await good.waitClosed(3_000), /^close 1001 /);
    } finally {
      raw.close();
    }
  });
});
