/**
 * Robustness of `codex app-server` over stdio against hostile or broken input: random bytes,
 * truncated JSON, invalid UTF-8, NUL bytes, deep nesting, huge numbers, wrong types, batches
 * and odd envelopes. After every barrage the server must still answer a proper request, never
 * crash, and write only well-formed JSON lines.
 */

import assert from "node:assert/strict";
import { ServerProcess } from "./support/server.ts";
import { type Msg, StdioClient } from "./support/clients.ts";
import {
  assertError,
  assertWellFormedOutput,
  concatBytes,
  enc,
  initExperimental,
  randomBytes,
  seededRandom,
  sentinel,
  sentinelUninitialized,
  withStdio,
} from "./support/stdio_helpers.ts";

/** How many lines the server will treat as messages (same rules as its line splitter). */
function countMessageLines(bytes: Uint8Array): number {
  let count = 0;
  let start = 0;
  const dec = new TextDecoder();
  while (start <= bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    if (nl === -1) nl = bytes.length;
    let text = dec.decode(bytes.subarray(start, nl));
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() !== "") count++;
    start = nl + 1;
  }
  return count;
}

/** Every reply to garbage must be an error with id null and a JSON-RPC error code. */
function assertGarbageReplies(replies: Msg[]): void {
  for (const r of replies) {
    assert.equal(r.id, null, `garbage answered with an id: ${JSON.stringify(r).slice(0, 300)}`);
    assert.ok(
      r.error?.code === -32700 || r.error?.code === -32600,
      `unexpected reply to garbage: ${JSON.stringify(r).slice(0, 300)}`,
    );
    assert.equal(typeof r.error.message, "string");
  }
}

Deno.test("bad input: seeded random byte barrages get one error per line, server survives", async () => {
  await withStdio({}, async (client, server) => {
    await initExperimental(client);
    for (const seed of [1, 0xc0de, 20260301]) {
      const rand = seededRandom(seed);
      // Random bytes, then a newline so the last garbage line ends before the sentinel.
      const bytes = concatBytes(randomBytes(rand, 24 * 1024), enc.encode("\n"));
      const from = client.received.length;
      // Several writes of random sizes.
      let offset = 0;
      while (offset < bytes.length) {
        const size = 1 + Math.floor(rand() * 4096);
        await client.sendBytes(bytes.subarray(offset, offset + size));
        offset += size;
      }
      const replies = await sentinel(client, from);
      assert.equal(replies.length, countMessageLines(bytes), `seed ${seed}`);
      assertGarbageReplies(replies);
    }
    assertWellFormedOutput(client);
    assert.equal(server.child.pid > 0, true);
  });
});

Deno.test("bad input: every truncation of a request is a -32700 parse error", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const full = '{"id":"t","method":"mock/experimentalMethod","params":{"value":"ü\\n"}}';
    const from = client.received.length;
    const lines: string[] = [];
    for (let k = 1; k < full.length; k++) lines.push(full.slice(0, k));
    await client.sendBytes(enc.encode(lines.join("\n") + "\n"));
    const replies = await sentinel(client, from);
    assert.equal(replies.length, full.length - 1);
    for (const r of replies) assertError(r, -32700, null, /^Parse error: /);
    assert.deepEqual(await client.request("mock/experimentalMethod", { value: "ü\n" }, "t"), {
      id: "t",
      result: { echoed: "ü\n" },
    });
  });
});

Deno.test("bad input: a truncated final line at EOF is answered -32700, then exit 0", async () => {
  const server = await ServerProcess.start();
  try {
    const client = new StdioClient(server);
    await client.sendBytes(enc.encode('{"id":1,"method":"initialize","params":{"clientI'));
    await client.closeInput();
    const status = await server.exited(8_000);
    await client.done;
    assert.equal(status.code, 0);
    assert.equal(client.received.length, 1);
    assertError(client.received[0], -32700, null);
  } finally {
    await server.close();
  }
});

Deno.test("bad input: invalid UTF-8 never produces invalid UTF-8 or broken JSON on stdout", async () => {
  const sequences = [
    [0xff],
    [0xc0, 0xaf], // overlong "/"
    [0xed, 0xa0, 0x80], // UTF-8-encoded surrogate
    [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
    [0xe2, 0x82], // truncated 3-byte sequence
    [0x80], // lone continuation byte
  ].map((s) => new Uint8Array(s));
  const parts: Uint8Array[] = [
    enc.encode(
      '{"id":"init","method":"initialize","params":{"clientInfo":{"name":"u","title":null,"version":"1"},"capabilities":{"experimentalApi":true}}}\n',
    ),
  ];
  sequences.forEach((seq, i) => {
    // As a whole line, and inside a JSON string value.
    parts.push(seq, enc.encode("\n"));
    parts.push(
      enc.encode(`{"id":${i},"method":"mock/experimentalMethod","params":{"value":"a`),
      seq,
      enc.encode('b"}}\n'),
    );
  });
  parts.push(
    enc.encode('{"id":"end","method":"mock/experimentalMethod","params":{"value":"\\ud800"}}\n'),
  );
  const server = await ServerProcess.start();
  try {
    const writer = server.child.stdin.getWriter();
    await writer.write(concatBytes(...parts));
    await writer.close();
    const out = new Uint8Array(await new Response(server.child.stdout).arrayBuffer());
    const status = await server.exited(8_000);
    assert.equal(status.code, 0);
    // Fatal decoding: the server must only ever write valid UTF-8.
    const text = new TextDecoder("utf-8", { fatal: true }).decode(out);
    const lines = text.split("\n");
    assert.equal(lines.pop(), "");
    const msgs = lines.map((l) => JSON.parse(l) as Msg);
    assert.equal(msgs.length, 2 + sequences.length * 2);
    assert.ok(msgs[0]!.result);
    sequences.forEach((seq, i) => {
      assertError(msgs[1 + 2 * i], -32700, null);
      assert.deepEqual(msgs[2 + 2 * i], {
        id: i,
        result: { echoed: `a${new TextDecoder().decode(seq)}b` },
      });
    });
    // A lone surrogate escape is echoed as an escape, keeping the output valid UTF-8.
    assert.deepEqual(msgs.at(-1), { id: "end", result: { echoed: "\ud800" } });
    assert.ok(lines.at(-1)!.includes("\\ud800"));
  } finally {
    await server.close();
  }
});

Deno.test("bad input: NUL bytes are parse errors unless escaped", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    await client.sendBytes(concatBytes(
      new Uint8Array([0]),
      enc.encode("\n"),
      enc.encode('{"id":1,"method":"mock/experimentalMethod","params":{"value":"a'),
      new Uint8Array([0]),
      enc.encode('b"}}\n{"id":2,'),
      new Uint8Array([0]),
      enc.encode('"method":"mock/experimentalMethod"}\n'),
      enc.encode('{"id":3,"method":"mock/experimentalMethod","params":{"value":"a\\u0000b"}}\n'),
    ));
    const replies = await sentinel(client, from);
    assert.equal(replies.length, 4);
    for (const r of replies.slice(0, 3)) assertError(r, -32700, null);
    assert.deepEqual(replies[3], { id: 3, result: { echoed: "a\u0000b" } });
    assert.ok(client.rawReceived.includes('{"id":3,"result":{"echoed":"a\\u0000b"}}'));
  });
});

Deno.test("bad input: 100k-deep nesting is refused without crashing", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const D = 100_000;
    const deepArr = "[".repeat(D) + "]".repeat(D);
    const deepObj = '{"a":'.repeat(D) + "1" + "}".repeat(D);
    const from = client.received.length;
    const lines = [
      "[".repeat(D), // unbalanced
      '{"a":'.repeat(D), // unbalanced
      deepArr, // a (deep) batch
      deepObj, // an object that is no message
      `{"id":1,"method":"mock/experimentalMethod","params":{"value":${deepArr}}}`,
      `{"id":2,"method":"mock/experimentalMethod","params":${deepObj}}`, // "a" is unknown
      `{"id":3,"method":"thread/resume","params":{"threadId":"t","config":{"k":${deepObj}}}}`,
      `{"id":4,"method":"turn/steer","params":{"threadId":"t","expectedTurnId":"x","input":[],"outputSchema":${deepArr}}}`,
      `{"id":${deepArr},"method":"mock/experimentalMethod"}`, // bad id: a notification
    ];
    await client.sendBytes(enc.encode(lines.join("\n") + "\n"));
    const replies = await sentinel(client, from);
    assert.deepEqual(
      replies.map((r) => [r.id, r.error?.code ?? "ok"]),
      [
        [null, -32700],
        [null, -32700],
        [null, -32600],
        [null, -32600],
        [1, -32600],
        [2, "ok"], // unknown deep field: ignored
        [3, -32600], // deep config accepted; "t" is not a thread id
        [4, -32600], // deep field ignored; "t" is not a thread id
      ],
    );
    assertError(replies[2], -32600, null, /batches/);
    assertWellFormedOutput(client);
  });
});

Deno.test("bad input: huge and odd numbers are validated, not crashed on", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    const lines = [
      '{"id":1,"method":"thread/list","params":{"limit":1e400}}',
      '{"id":2,"method":"thread/list","params":{"limit":-1}}',
      '{"id":3,"method":"thread/list","params":{"limit":1.5}}',
      '{"id":4,"method":"thread/list","params":{"limit":123456789012345678901234567890}}',
      '{"id":5,"method":"mock/experimentalMethod","params":{"value":1e400}}',
      '{"id":6,"method":"mock/experimentalMethod","params":{"value":-1e-400}}',
      `{"id":7,"method":"mock/experimentalMethod","params":{"value":"${"9".repeat(5000)}"}}`,
      `{"id":8,"method":"mock/experimentalMethod","params":{"value":${"9".repeat(5000)}}}`,
      '{"id":1e400,"method":"mock/experimentalMethod"}', // not an id: notification
    ];
    await client.sendBytes(enc.encode(lines.join("\n") + "\n"));
    const replies = await sentinel(client, from);
    assert.deepEqual(replies.map((r) => r.id), [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const id of [1, 2, 3, 4]) {
      assertError(replies[id - 1], -32600, id, /^Invalid request: .*\(at `limit`\)$/);
      assert.equal(replies[id - 1]!.error.data.fieldPath, "limit");
    }
    for (const id of [5, 6, 8]) assertError(replies[id - 1], -32600, id, /\(at `value`\)$/);
    assert.deepEqual(replies[6]!.result, { echoed: "9".repeat(5000) });
    assertWellFormedOutput(client);
  });
});

Deno.test("bad input: wrong types for each initialize field are refused with the field path", async () => {
  await withStdio({}, async (client) => {
    const ok = { name: "n", title: null, version: "1" };
    const cases: Array<[unknown, string | null]> = [
      [[], null],
      ["s", null],
      [5, null],
      [true, null],
      [{}, "clientInfo"],
      [{ clientInfo: null }, "clientInfo"],
      [{ clientInfo: "x" }, "clientInfo"],
      [{ clientInfo: [] }, "clientInfo"],
      [{ clientInfo: { ...ok, name: 5 } }, "clientInfo.name"],
      [{ clientInfo: { ...ok, name: null } }, "clientInfo.name"],
      [{ clientInfo: { title: null, version: "1" } }, "clientInfo.name"],
      [{ clientInfo: { ...ok, version: 1 } }, "clientInfo.version"],
      [{ clientInfo: { ...ok, version: {} } }, "clientInfo.version"],
      [{ clientInfo: { ...ok, title: 5 } }, "clientInfo.title"],
      [{ clientInfo: ok, capabilities: "x" }, "capabilities"],
      [{ clientInfo: ok, capabilities: [] }, "capabilities"],
      [
        { clientInfo: ok, capabilities: { experimentalApi: "yes" } },
        "capabilities.experimentalApi",
      ],
      [{ clientInfo: ok, capabilities: { experimentalApi: 1 } }, "capabilities.experimentalApi"],
      [
        { clientInfo: ok, capabilities: { optOutNotificationMethods: "x" } },
        "capabilities.optOutNotificationMethods",
      ],
      [
        { clientInfo: ok, capabilities: { optOutNotificationMethods: ["a", 1] } },
        "capabilities.optOutNotificationMethods[1]",
      ],
    ];
    let id = 0;
    for (const [params, fieldPath] of cases) {
      const reply = await client.request("initialize", params, ++id);
      assertError(reply, -32600, id, /^Invalid request: /);
      assert.deepEqual(
        reply.error.data,
        { fieldPath },
        `initialize ${JSON.stringify(params)} -> ${JSON.stringify(reply)}`,
      );
      if (fieldPath !== null && !reply.error.message.includes("missing field")) {
        assert.ok(reply.error.message.endsWith(`(at \`${fieldPath}\`)`), reply.error.message);
      }
    }
    // None of those initialized the connection.
    await sentinelUninitialized(client);
    const init = await client.initialize({ experimentalApi: true });
    assert.ok(init.result);
    await sentinel(client);
  });
});

Deno.test("bad input: unknown fields at every level are ignored", async () => {
  await withStdio({}, async (client) => {
    const init = await client.request("initialize", {
      clientInfo: { name: "x", title: "T", version: "1", extra: { deep: [1] } },
      capabilities: { experimentalApi: true, somethingNew: true },
      futureField: "f",
    }, "i");
    assert.ok(init.result, JSON.stringify(init));
    await client.sendRaw(
      '{"id":"m","method":"mock/experimentalMethod","params":{"value":"ok","x":1},"extra":{},"jsonrpc":"2.0","meta":null}',
    );
    assert.deepEqual(await client.waitFor((m) => m.id === "m"), {
      id: "m",
      result: { echoed: "ok" },
    });
  });
});

Deno.test("bad input: batches are refused whole and none of their requests run", async () => {
  await withStdio({}, async (client) => {
    const from = client.received.length;
    const initLine =
      '{"id":1,"method":"initialize","params":{"clientInfo":{"name":"b","title":null,"version":"1"},"capabilities":{"experimentalApi":true}}}';
    for (const batch of ["[]", "[1]", "[[]]", `[${initLine}]`, `[${initLine},${initLine}]`]) {
      await client.sendRaw(batch);
    }
    const replies = await sentinelUninitialized(client, from);
    assert.equal(replies.length, 5);
    for (const r of replies) assertError(r, -32600, null, /batches/);
    // The batched initialize did not initialize the connection (sentinel said Not initialized).
    assert.ok((await client.initialize({ experimentalApi: true })).result);
  });
});

Deno.test("bad input: params of the wrong JSON type are -32600, null params is {}", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    let id = 0;
    for (const params of [[], ["v"], "value", 42, true]) {
      const reply = await client.request("mock/experimentalMethod", params, ++id);
      assertError(reply, -32600, id, /^Invalid request: invalid type: .*, expected a map$/);
      assert.deepEqual(reply.error.data, { fieldPath: null });
    }
    assert.deepEqual(await client.request("mock/experimentalMethod", null, ++id), {
      id,
      result: { echoed: null },
    });
    assertError(await client.request("thread/list", [], ++id), -32600, id, /expected a map/);
  });
});

Deno.test("bad input: non-string methods and non-object messages are -32600", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    const lines = [
      '{"id":1,"method":5}',
      '{"id":2,"method":null}',
      '{"id":3,"method":{"a":1}}',
      '{"id":4,"method":["x"]}',
      '{"id":5,"method":true}',
      '{"method":7}',
      '"just a string"',
      "123",
      "null",
      "true",
      '{"id":{}}',
      '{"id":6,"error":{"code":"x","message":"m"}}',
      '{"__proto__":{"method":"mock/experimentalMethod"},"id":7}',
    ];
    await client.sendBytes(enc.encode(lines.join("\n") + "\n"));
    const replies = await sentinel(client, from);
    assert.deepEqual(
      replies.map((r) => [r.id, r.error?.code]),
      [
        [1, -32600],
        [2, -32600],
        [3, -32600],
        [4, -32600],
        [5, -32600],
        [null, -32600],
        [null, -32600],
        [null, -32600],
        [null, -32600],
        [null, -32600],
        [null, -32600],
        [6, -32600],
        [7, -32600],
      ],
    );
    for (const r of replies.slice(0, 6)) assert.match(r.error.message, /method/);
  });
});

Deno.test("bad input: __proto__ in params does not pollute later requests", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    await client.sendRaw(
      '{"id":1,"method":"mock/experimentalMethod","params":{"__proto__":{"value":"polluted"}}}',
    );
    await client.sendRaw(
      '{"id":2,"method":"mock/experimentalMethod","params":{"constructor":{"prototype":{"value":"polluted"}}}}',
    );
    assert.deepEqual(await client.waitFor((m) => m.id === 1), { id: 1, result: { echoed: null } });
    assert.deepEqual(await client.waitFor((m) => m.id === 2), { id: 2, result: { echoed: null } });
    assert.deepEqual(await client.request("mock/experimentalMethod", {}, 3), {
      id: 3,
      result: { echoed: null },
    });
    assertError(await client.request("skills/list", {}, 4), -32601, 4);
  });
});

Deno.test("bad input: a seeded mixed barrage leaves the server answering normally", async () => {
  const rand = seededRandom(4242);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const fragments = [
    "{",
    "}",
    "[",
    '"',
    '{"id":',
    '"method":',
    '"params":',
    '"mock/experimentalMethod"',
    '"initialize"',
    "null",
    "1e999",
    "-0",
    ",",
    ":",
    "\\u0000",
    "\\",
    "\t",
    "\r",
    "\u2028",
    "😀",
  ];
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const n = 1 + Math.floor(rand() * 12);
      let line = "";
      for (let j = 0; j < n; j++) line += pick(fragments);
      lines.push(line);
    }
    const bytes = enc.encode(lines.join("\n") + "\n");
    await client.sendBytes(bytes);
    const replies = await sentinel(client, from);
    assert.ok(replies.length <= countMessageLines(bytes));
    for (const r of replies) {
      assert.ok(r.error, `garbage produced a success: ${JSON.stringify(r)}`);
      assert.ok([-32700, -32600, -32601].includes(r.error.code), JSON.stringify(r));
    }
    assertWellFormedOutput(client);
    // Still fully functional.
    assertError(await client.request("initialize", {}, "again"), -32600, "again");
    assert.deepEqual(await client.request("mock/experimentalMethod", { value: "alive" }, "z"), {
      id: "z",
      result: { echoed: "alive" },
    });
  });
});
