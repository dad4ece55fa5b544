import assert from "node:assert/strict";
import { ListenUrlError, parseListenUrl } from "./listen_url.ts";

Deno.test("parseListenUrl accepts stdio:// and literal socket addresses", () => {
  assert.deepEqual(parseListenUrl("stdio://"), { kind: "stdio" });
  assert.deepEqual(parseListenUrl("ws://127.0.0.1:0"), {
    kind: "ws",
    hostname: "127.0.0.1",
    port: 0,
    display: "127.0.0.1",
  });
  assert.deepEqual(parseListenUrl("ws://[::1]:8080"), {
    kind: "ws",
    hostname: "::1",
    port: 8080,
    display: "[::1]",
  });
  assert.equal(parseListenUrl("ws://0.0.0.0:65535").kind, "ws");
  assert.equal(parseListenUrl("ws://[fe80::1%2]:1").kind, "ws");
  assert.equal(parseListenUrl("ws://[::ffff:127.0.0.1]:1").kind, "ws");
});

Deno.test("parseListenUrl refuses other schemes with the reference's message", () => {
  for (const url of ["STDIO://", "stdio", "foo", "wss://127.0.0.1:1", "unix://", ""]) {
    assert.throws(() => parseListenUrl(url), (e: unknown) => {
      assert.ok(e instanceof ListenUrlError);
      assert.equal(
        e.message,
        `unsupported --listen URL \`${url}\`; expected \`stdio://\` or \`ws://IP:PORT\``,
      );
      return true;
    });
  }
});

Deno.test("parseListenUrl refuses host names, paths and bad ports", () => {
  for (
    const url of [
      "ws://localhost:1234",
      "ws://127.0.0.1:0/path",
      "ws://127.0.0.1:http",
      "ws://127.0.0.1",
      "ws://127.0.0.1:65536",
      "ws://256.0.0.1:1",
      "ws://127.0.0.01:1",
      "ws://::1:80",
      "ws://[::1]",
      "ws://[::g]:1",
      "ws://[1::2::3]:1",
      "ws://127.0.0.1:-1",
    ]
  ) {
    assert.throws(() => parseListenUrl(url), (e: unknown) => {
      assert.ok(e instanceof ListenUrlError, url);
      assert.equal(
        e.message,
        `invalid websocket --listen URL \`${url}\`; expected \`ws://IP:PORT\``,
      );
      return true;
    });
  }
});
