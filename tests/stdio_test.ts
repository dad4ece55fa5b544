/**
 * Black-box tests of `codex app-server` over stdio: the handshake, ids and envelopes,
 * experimental gating, error shapes, framing, size limits, ordering and shutdown.
 */

import assert from "node:assert/strict";
import { ServerProcess } from "./support/server.ts";
import { StdioClient } from "./support/clients.ts";
import {
  assertError,
  assertWellFormedOutput,
  enc,
  initExperimental,
  PINNED_TERMINAL_ENV,
  sentinel,
  sentinelUninitialized,
  sleep,
  withStdio,
} from "./support/stdio_helpers.ts";

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// ---------------------------------------------------------------------------------------------
// initialize
// ---------------------------------------------------------------------------------------------

Deno.test("initialize: result carries userAgent, realpath'd codexHome and platform", async () => {
  await withStdio({ env: PINNED_TERMINAL_ENV }, async (client, server) => {
    const init = await client.initialize({ name: "test-client", version: "1.0" });
    assert.deepEqual(Object.keys(init).sort(), ["id", "result"]);
    const r = init.result;
    assert.deepEqual(Object.keys(r).sort(), [
      "codexHome",
      "platformFamily",
      "platformOs",
      "userAgent",
    ]);
    const arch = escapeRe(Deno.build.arch);
    assert.match(
      r.userAgent,
      new RegExp(
        `^test-client/0\\.105\\.0 \\([^;()]+ [^;()]+; ${arch}\\) e2e-term/7\\.1 \\(test-client; 1\\.0\\)$`,
      ),
    );
    assert.equal(r.codexHome, Deno.realPathSync(server.codexHome));
    assert.equal(r.platformFamily, "unix");
    assert.equal(r.platformOs, "linux");
  });
});

Deno.test("initialize: codexHome is the realpath of a symlinked CODEX_HOME", async () => {
  const real = await Deno.makeTempDir({ prefix: "codex-test-real-" });
  const link = `${real}-link`;
  await Deno.symlink(real, link);
  try {
    await withStdio({ codexHome: link }, async (client) => {
      const init = await client.initialize();
      assert.equal(init.result.codexHome, Deno.realPathSync(real));
      assert.notEqual(init.result.codexHome, link);
    });
  } finally {
    await Deno.remove(link).catch(() => {});
    await Deno.remove(real, { recursive: true }).catch(() => {});
  }
});

Deno.test("initialize: CODEX_INTERNAL_ORIGINATOR_OVERRIDE pins the userAgent originator", async () => {
  await withStdio(
    { env: { ...PINNED_TERMINAL_ENV, CODEX_INTERNAL_ORIGINATOR_OVERRIDE: "pinned" } },
    async (client) => {
      const init = await client.initialize({ name: "someone", version: "2.5" });
      assert.match(init.result.userAgent, /^pinned\/0\.105\.0 \(/);
      assert.match(init.result.userAgent, / e2e-term\/7\.1 \(someone; 2\.5\)$/);
    },
  );
});

Deno.test("initialize: requests before initialize get -32600 Not initialized, notifications ignored", async () => {
  await withStdio({}, async (client) => {
    assertError(await client.request("thread/list", {}, 1), -32600, 1, "Not initialized");
    assertError(await client.request("mock/experimentalMethod", {}, "s-1"), -32600, "s-1");
    assertError(await client.request("config/read", {}, -4), -32600, -4, "Not initialized");
    // Unknown methods are "not found" whatever the state.
    assertError(await client.request("nope/nope", {}, 2), -32601, 2, "Method not found: nope/nope");
    const before = client.received.length;
    await client.send({ method: "initialized" });
    await client.send({ method: "thread/list", params: {} });
    const between = await sentinelUninitialized(client, before);
    assert.deepEqual(between, [], "notifications before initialize must not be answered");
    // Exact raw error shape for a string id.
    assert.ok(
      client.rawReceived.includes(
        '{"error":{"code":-32600,"message":"Not initialized"},"id":"s-1"}',
      ),
    );
    // Still initializable afterwards.
    const init = await client.initialize();
    assert.ok(init.result.userAgent);
  });
});

Deno.test("initialize: a second initialize gets -32600 Already initialized", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const again = await client.request("initialize", {
      clientInfo: { name: "other", title: null, version: "9" },
    }, "again");
    assert.deepEqual(again, {
      error: { code: -32600, message: "Already initialized" },
      id: "again",
    });
    // The first initialize's capabilities still apply.
    await sentinel(client);
  });
});

Deno.test("initialize: clientInfo.name with control characters is refused and retry works", async () => {
  await withStdio({ env: PINNED_TERMINAL_ENV }, async (client) => {
    for (const [id, name] of [[1, "bad\rname"], [2, "bad\nname"], [3, "del\x7fname"]] as const) {
      const reply = await client.request("initialize", {
        clientInfo: { name, title: null, version: "1" },
      }, id);
      assert.deepEqual(reply, {
        error: {
          code: -32600,
          message: `Invalid clientInfo.name: '${name}'. Must be a valid HTTP header value.`,
        },
        id,
      });
    }
    // Still uninitialized.
    assertError(await client.request("thread/list", {}, 4), -32600, 4, "Not initialized");
    const ok = await client.request("initialize", {
      clientInfo: { name: "good", title: null, version: "1" },
    }, 5);
    assert.match(ok.result.userAgent, /^good\/0\.105\.0 .*\(good; 1\)$/);
  });
});

Deno.test("initialize: names with spaces, non-ASCII, tabs or empty are accepted", async () => {
  const names = ["my client", "café ☕", "tab\tname", ""];
  await Promise.all(names.map((name) =>
    withStdio({ env: PINNED_TERMINAL_ENV }, async (client) => {
      const init = await client.initialize({ name, version: "3" });
      assert.ok(init.result, `name ${JSON.stringify(name)} refused: ${JSON.stringify(init)}`);
      assert.ok(
        init.result.userAgent.startsWith(`${name}/0.105.0 (`),
        `UA for ${JSON.stringify(name)}: ${init.result.userAgent}`,
      );
    })
  ));
});

Deno.test("initialize: missing clientInfo.version names the field path", async () => {
  await withStdio({}, async (client) => {
    const reply = await client.request("initialize", { clientInfo: { name: "x" } }, 1);
    assert.deepEqual(reply, {
      error: {
        code: -32600,
        message: "Invalid request: missing field `version` (at `clientInfo.version`)",
        data: { fieldPath: "clientInfo.version" },
      },
      id: 1,
    });
    // A failed initialize leaves the connection uninitialized.
    assertError(await client.request("thread/list", {}, 2), -32600, 2, "Not initialized");
  });
});

// ---------------------------------------------------------------------------------------------
// ids and envelopes
// ---------------------------------------------------------------------------------------------

Deno.test("request ids: strings and safe integers are echoed unchanged", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const ids: Array<string | number> = [
      0,
      -1,
      -9007199254740991,
      9007199254740991,
      "",
      "42",
      "ünï-😀",
      "x".repeat(2000),
    ];
    for (const id of ids) {
      const reply = await client.request("mock/experimentalMethod", { value: "v" }, id);
      assert.deepEqual(reply, { id, result: { echoed: "v" } });
    }
    // "42" must stay a string on the wire.
    assert.ok(client.rawReceived.includes('{"id":"42","result":{"echoed":"v"}}'));
    assert.ok(client.rawReceived.includes('{"id":-9007199254740991,"result":{"echoed":"v"}}'));
  });
});

Deno.test("request ids: 64-bit integers beyond 2^53 are echoed digit for digit", async () => {
  // The reference's RequestId is an i64 and echoes it exactly.
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    for (const raw of ["9223372036854775807", "-9223372036854775808", "9007199254740993"]) {
      await client.sendRaw(
        `{"id":${raw},"method":"mock/experimentalMethod","params":{"value":"${raw}"}}`,
      );
    }
    await sentinel(client, from);
    const lines = client.rawReceived.slice(from, from + 3);
    for (const raw of ["9223372036854775807", "-9223372036854775808", "9007199254740993"]) {
      const line = lines.find((l) => l.includes(`"echoed":"${raw}"`));
      assert.ok(line, `no reply for id ${raw}`);
      assert.ok(line.startsWith(`{"id":${raw},`), `id ${raw} not echoed exactly: ${line}`);
    }
  });
});

Deno.test("request ids: null, fractional, boolean and object ids make ignored notifications", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    for (const id of ["null", "1.5", "true", "{}", "[1]", "1e400"]) {
      await client.sendRaw(
        `{"id":${id},"method":"mock/experimentalMethod","params":{"value":"n"}}`,
      );
    }
    assert.deepEqual(await sentinel(client, from), []);
  });
});

Deno.test("request ids: float-literal and out-of-i64 ids are notifications, as in the reference", async () => {
  // serde parses `1.0`/`1e2` as f64 and 2^64 does not fit i64: none is a RequestId, so the
  // reference takes these messages as notifications and does not answer.
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    for (const id of ["1.0", "1e2", "18446744073709551616"]) {
      await client.sendRaw(
        `{"id":${id},"method":"mock/experimentalMethod","params":{"value":"f"}}`,
      );
    }
    assert.deepEqual(await sentinel(client, from), []);
  });
});

Deno.test("envelope: jsonrpc member tolerated on input and never emitted; raw key order", async () => {
  await withStdio({}, async (client) => {
    await client.sendRaw(
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"clientInfo":{"name":"j","title":null,"version":"1"},"capabilities":{"experimentalApi":true}}}',
    );
    const init = await client.waitFor((m) => m.id === 1);
    assert.ok(init.result);
    await client.sendRaw(
      '{"jsonrpc":"2.0","id":2,"method":"mock/experimentalMethod","params":{"value":"k"}}',
    );
    await client.waitFor((m) => m.id === 2);
    await client.sendRaw('{"jsonrpc":"2.0","id":3,"method":"no/such"}');
    await client.waitFor((m) => m.id === 3);
    assert.ok(client.rawReceived[0]!.startsWith('{"id":1,"result":{'));
    assert.equal(client.rawReceived[1], '{"id":2,"result":{"echoed":"k"}}');
    assert.equal(
      client.rawReceived[2],
      '{"error":{"code":-32601,"message":"Method not found: no/such"},"id":3}',
    );
    assertWellFormedOutput(client);
  });
});

// ---------------------------------------------------------------------------------------------
// experimental gating
// ---------------------------------------------------------------------------------------------

Deno.test("experimentalApi: methods and fields are refused without the capability", async () => {
  await withStdio({}, async (client) => {
    const init = await client.initialize({ experimentalApi: false });
    assert.ok(init.result);
    const cases: Array<[string, unknown, string]> = [
      ["mock/experimentalMethod", { value: "v" }, "mock/experimentalMethod"],
      ["thread/start", { mockExperimentalField: "x" }, "thread/start.mockExperimentalField"],
      ["thread/start", { persistExtendedHistory: true }, "thread/start.persistFullHistory"],
      [
        "account/login/start",
        { type: "chatgptAuthTokens", accessToken: "a", chatgptAccountId: "b" },
        "account/login/start.chatgptAuthTokens",
      ],
    ];
    let id = 10;
    for (const [method, params, descriptor] of cases) {
      const reply = await client.request(method, params, ++id);
      assert.deepEqual(reply, {
        error: { code: -32600, message: `${descriptor} requires experimentalApi capability` },
        id,
      }, `${method} ${JSON.stringify(params)}`);
    }
  });
});

Deno.test("experimentalApi: null, false and [] field values pass the gate", async () => {
  await withStdio({}, async (client) => {
    await client.initialize({ experimentalApi: false });
    const params = [
      { mockExperimentalField: null },
      { persistExtendedHistory: false },
      { dynamicTools: [] },
      { dynamicTools: null, experimentalRawEvents: false },
    ];
    let id = 0;
    for (const p of params) {
      const reply = await client.request("thread/start", p, ++id);
      assert.ok(reply.result?.thread, `gate refused ${JSON.stringify(p)}`);
    }
  });
});

Deno.test("experimentalApi: with the capability the mock method echoes and gated fields pass", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    assert.deepEqual(await client.request("mock/experimentalMethod", { value: "v" }, 1), {
      id: 1,
      result: { echoed: "v" },
    });
    assert.deepEqual(await client.request("mock/experimentalMethod", {}, 2), {
      id: 2,
      result: { echoed: null },
    });
    const started = await client.request("thread/start", { mockExperimentalField: "x" }, 3);
    assert.ok(started.result?.thread);
  });
});

// ---------------------------------------------------------------------------------------------
// method errors and params validation
// ---------------------------------------------------------------------------------------------

Deno.test("router: protocol methods without a handler answer -32601 notImplemented", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    let id = 0;
    for (const method of ["skills/list", "account/read", "model/list"]) {
      const reply = await client.request(method, {}, ++id);
      assert.deepEqual(reply, {
        error: {
          code: -32601,
          message: `${method} is not implemented in this version of the server`,
          data: { reason: "notImplemented", method },
        },
        id,
      });
    }
  });
});

Deno.test("router: unknown methods (incl. Object.prototype names) answer Method not found", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    let id = 0;
    for (const method of ["bogus", "", "__proto__", "constructor", "toString", "thread/"]) {
      const reply = await client.request(method, {}, ++id);
      assert.deepEqual(reply, {
        error: { code: -32601, message: `Method not found: ${method}` },
        id,
      });
    }
  });
});

Deno.test("params: wrong types and unknown variants are -32600 naming the field path", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    assert.deepEqual(await client.request("thread/list", { limit: "x" }, 1), {
      error: {
        code: -32600,
        message: 'Invalid request: invalid type: string "x", expected a number (at `limit`)',
        data: { fieldPath: "limit" },
      },
      id: 1,
    });
    const turn = await client.request("turn/start", {
      threadId: "t",
      input: [{ type: "bogus", text: "hi" }],
    }, 2);
    assertError(
      turn,
      -32600,
      2,
      /^Invalid request: unknown variant `bogus`, expected one of `text`, /,
    );
    assert.equal(turn.error.data.fieldPath, "input[0].type");
    const mock = await client.request("mock/experimentalMethod", { value: 5 }, 3);
    assertError(
      mock,
      -32600,
      3,
      "Invalid request: invalid type: integer `5`, expected a string (at `value`)",
    );
    assert.deepEqual(mock.error.data, { fieldPath: "value" });
  });
});

Deno.test("params: unknown fields are ignored and missing params is treated as {}", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    assert.deepEqual(
      await client.request("mock/experimentalMethod", { value: "u", extra: [1, { a: 2 }] }, 1),
      { id: 1, result: { echoed: "u" } },
    );
    // No params at all.
    assert.deepEqual(await client.request("mock/experimentalMethod", undefined, 2), {
      id: 2,
      result: { echoed: null },
    });
    // skills/list without params passes validation (then is not implemented).
    assertError(
      await client.request("skills/list", undefined, 3),
      -32601,
      3,
      "skills/list is not implemented in this version of the server",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// unreadable input
// ---------------------------------------------------------------------------------------------

Deno.test("router: unparseable JSON gets -32700 with id null and the connection stays usable", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    await client.sendRaw("{not json");
    await client.sendRaw('{"id":1,"method":');
    const replies = await sentinel(client, from);
    assert.equal(replies.length, 2);
    for (const r of replies) {
      assertError(r, -32700, null);
      assert.match(r.error.message, /^Parse error: /);
    }
    assert.ok(client.rawReceived[from]!.startsWith('{"error":{"code":-32700,'));
    assert.ok(client.rawReceived[from]!.endsWith(',"id":null}'));
  });
});

Deno.test("router: batches, id-only objects and non-string methods get -32600", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    await client.sendRaw('[{"id":1,"method":"mock/experimentalMethod","params":{"value":"b"}}]');
    await client.sendRaw('{"id":5}');
    await client.sendRaw('{"id":"m","method":7}');
    const replies = await sentinel(client, from);
    assert.equal(replies.length, 3, JSON.stringify(replies));
    assertError(replies[0], -32600, null, /batches .*not supported/);
    assertError(replies[1], -32600, 5, /^Invalid request: /);
    assertError(replies[2], -32600, "m", /^Invalid request: .*method/);
    // The request inside the batch was not executed.
    assert.ok(!client.received.some((m) => m.result?.echoed === "b"));
  });
});

Deno.test("router: replies to bad input keep arrival order relative to requests", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    const lines = [
      '{"id":"a","method":"mock/experimentalMethod","params":{"value":"1"}}',
      "garbage",
      '{"id":"b","method":"skills/list","params":{}}',
      "[]",
      '{"id":"c","method":"mock/experimentalMethod","params":{"value":"2"}}',
      '{"id":"d"}',
      '{"id":"e","method":"nope"}',
    ];
    // One write, so the server sees them together.
    await client.sendBytes(enc.encode(lines.join("\n") + "\n"));
    const replies = await sentinel(client, from);
    assert.deepEqual(
      replies.map((r) => [r.id, r.error?.code ?? "ok"]),
      [["a", "ok"], [null, -32700], ["b", -32601], [null, -32600], ["c", "ok"], ["d", -32600], [
        "e",
        -32601,
      ]],
    );
  });
});

Deno.test("router: client responses and errors for unknown server-request ids are ignored", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    await client.send({ id: 99, result: {} });
    await client.send({ id: "zz", result: null });
    await client.send({ id: 98, error: { code: 1, message: "nope" } });
    assert.deepEqual(await sentinel(client, from), []);
    assertWellFormedOutput(client);
  });
});

// ---------------------------------------------------------------------------------------------
// framing
// ---------------------------------------------------------------------------------------------

Deno.test("stdio framing: CRLF, blank and whitespace-only lines, several messages per write", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    await client.sendBytes(enc.encode(
      '\n\r\n   \n\t\r\n{"id":1,"method":"mock/experimentalMethod","params":{"value":"crlf"}}\r\n' +
        '\n{"id":2,"method":"mock/experimentalMethod","params":{"value":"lf"}}\n\n',
    ));
    const replies = await sentinel(client, from);
    assert.deepEqual(replies, [
      { id: 1, result: { echoed: "crlf" } },
      { id: 2, result: { echoed: "lf" } },
    ]);
  });
});

Deno.test("stdio framing: a message split across writes, inside a UTF-8 character and CRLF", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const bytes = enc.encode(
      '{"id":7,"method":"mock/experimentalMethod","params":{"value":"é😀"}}\r\n',
    );
    const emoji = bytes.indexOf(0xf0);
    const cuts = [5, emoji + 2, bytes.length - 1];
    let start = 0;
    for (const cut of cuts) {
      await client.sendBytes(bytes.subarray(start, cut));
      await sleep(30);
      start = cut;
    }
    await client.sendBytes(bytes.subarray(start));
    const reply = await client.waitFor((m) => m.id === 7, "split reply", 5_000);
    assert.deepEqual(reply, { id: 7, result: { echoed: "é😀" } });
  });
});

Deno.test("stdio framing: lines over CODEX_APP_SERVER_MAX_MESSAGE_BYTES are refused, server continues", async () => {
  await withStdio({ env: { CODEX_APP_SERVER_MAX_MESSAGE_BYTES: "1024" } }, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    const big = "x".repeat(3000);
    const first = `{"id":"big","method":"mock/experimentalMethod","params":{"value":"${big}"}}`;
    await client.sendRaw(first);
    await client.sendRaw(
      `{"id":-12,"method":"mock/experimentalMethod","params":{"value":"${big}"}}`,
    );
    // id after the first KiB cannot be sniffed.
    await client.sendRaw(`{"method":"mock/experimentalMethod","params":{"value":"${big}"},"id":9}`);
    await client.sendRaw(big); // not even JSON
    const replies = await sentinel(client, from);
    assert.equal(replies.length, 4, JSON.stringify(replies).slice(0, 500));
    const bytes = enc.encode(first).length;
    assert.deepEqual(replies[0], {
      error: {
        code: -32600,
        message: `Invalid request: message of ${bytes} bytes exceeds the limit of 1024 bytes`,
        data: { reason: "messageTooLarge", limitBytes: 1024 },
      },
      id: "big",
    });
    assertError(replies[1], -32600, -12, /exceeds the limit of 1024 bytes/);
    assertError(replies[2], -32600, null, /exceeds the limit of 1024 bytes/);
    assertError(replies[3], -32600, null, /message of 3000 bytes exceeds the limit of 1024 bytes/);
    for (const r of replies) assert.equal(r.error.data.reason, "messageTooLarge");
  });
});

Deno.test("stdio framing: a line of exactly the limit is accepted, one byte more is refused", async () => {
  await withStdio({ env: { CODEX_APP_SERVER_MAX_MESSAGE_BYTES: "1024" } }, async (client) => {
    await initExperimental(client);
    const make = (id: number, size: number) => {
      const head = `{"id":${id},"method":"mock/experimentalMethod","params":{"value":"`;
      const tail = `"}}`;
      return head + "y".repeat(size - head.length - tail.length) + tail;
    };
    const exact = make(1, 1024);
    const over = make(2, 1025);
    assert.equal(enc.encode(exact).length, 1024);
    const from = client.received.length;
    await client.sendRaw(exact);
    await client.sendRaw(over);
    const replies = await sentinel(client, from);
    assert.equal(replies.length, 2);
    assert.equal(replies[0]!.id, 1);
    assert.ok(replies[0]!.result, `exact-limit line refused: ${JSON.stringify(replies[0])}`);
    assertError(
      replies[1],
      -32600,
      2,
      "Invalid request: message of 1025 bytes exceeds the limit of 1024 bytes",
    );
  });
});

Deno.test("stdio framing: an oversized notification is not answered under a nested params.id", async () => {
  // The id is sniffed from the line start; a nested `params.id` is not the message's id.
  // Answering with it would resolve an unrelated pending request of the client.
  await withStdio({ env: { CODEX_APP_SERVER_MAX_MESSAGE_BYTES: "1024" } }, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    const big = "z".repeat(3000);
    await client.sendRaw(`{"method":"some/notification","params":{"id":3,"blob":"${big}"}}`);
    await client.sendRaw(
      `{"method":"mock/experimentalMethod","params":{"id":"inner","value":"${big}"},"id":8}`,
    );
    const replies = await sentinel(client, from);
    for (const r of replies) {
      assert.ok(
        r.id === null || r.id === 8,
        `oversized-message error sent to the wrong id: ${JSON.stringify(r)}`,
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------
// ordering, concurrency, shutdown
// ---------------------------------------------------------------------------------------------

Deno.test("stdio output: many large concurrent replies are whole lines, one per request, in order", async () => {
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    const n = 100;
    const payload = "p".repeat(20_000);
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      lines.push(JSON.stringify({
        id: i,
        method: "mock/experimentalMethod",
        params: { value: `${i}:${payload}` },
      }));
    }
    await client.sendBytes(enc.encode(lines.join("\n") + "\n"));
    const replies = await sentinel(client, from);
    assertWellFormedOutput(client);
    assert.deepEqual(replies.map((r) => r.id), [...Array(n).keys()]);
    for (const r of replies) assert.equal(r.result?.echoed, `${r.id}:${payload}`);
  });
});

Deno.test("stdio input: a burst of requests in one write is never refused as overloaded", async () => {
  // stdio applies backpressure by pausing reads (see src/transport/stdio.ts); it must not
  // answer -32001 to a client that simply wrote many requests at once.
  await withStdio({}, async (client) => {
    await initExperimental(client);
    const from = client.received.length;
    const n = 300;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      lines.push(`{"id":${i},"method":"mock/experimentalMethod","params":{"value":"${i}"}}`);
    }
    await client.sendBytes(enc.encode(lines.join("\n") + "\n"));
    await client.waitFor(() => client.received.length >= from + n, `${n} replies`, 8_000);
    const replies = client.received.slice(from);
    assert.equal(replies.length, n);
    assert.deepEqual(new Set(replies.map((r) => r.id)).size, n);
    const overloaded = replies.filter((r) => r.error?.code === -32001);
    assert.equal(overloaded.length, 0, `${overloaded.length} of ${n} requests got -32001`);
    assert.deepEqual(replies.map((r) => r.result?.echoed), lines.map((_, i) => `${i}`));
  });
});

Deno.test("stdio EOF: requests written before stdin closes are all answered, exit code 0", async () => {
  const server = await ServerProcess.start();
  try {
    const client = new StdioClient(server);
    await client.sendBytes(enc.encode(
      '{"id":1,"method":"initialize","params":{"clientInfo":{"name":"e","title":null,"version":"1"},"capabilities":{"experimentalApi":true}}}\n' +
        '{"id":2,"method":"mock/experimentalMethod","params":{"value":"two"}}\n' +
        '{"id":3,"method":"skills/list","params":{}}\n' +
        // The last line has no trailing newline: it still counts at EOF.
        '{"id":4,"method":"mock/experimentalMethod","params":{"value":"four"}}',
    ));
    await client.closeInput();
    const status = await server.exited(8_000);
    await client.done;
    assert.equal(status.code, 0);
    assert.deepEqual(client.received.map((m) => m.id), [1, 2, 3, 4]);
    assert.ok(client.received[0]!.result);
    assert.deepEqual(client.received[1]!.result, { echoed: "two" });
    assertError(client.received[2], -32601, 3);
    assert.deepEqual(client.received[3]!.result, { echoed: "four" });
  } finally {
    await server.close();
  }
});

Deno.test("stdio EOF: immediate EOF exits 0 without output", async () => {
  const server = await ServerProcess.start();
  try {
    const client = new StdioClient(server);
    await client.closeInput();
    const status = await server.exited(8_000);
    await client.done;
    assert.equal(status.code, 0);
    assert.deepEqual(client.rawReceived, []);
  } finally {
    await server.close();
  }
});

Deno.test("stdio signals: SIGTERM exits with code 0", async () => {
  const server = await ServerProcess.start();
  try {
    const client = new StdioClient(server);
    await client.initialize();
    server.child.kill("SIGTERM");
    const status = await server.exited(8_000);
    assert.equal(status.code, 0);
    assert.equal(status.signal, null);
  } finally {
    await server.close();
  }
});
