/**
 * Black-box tests of websocket hardening: health endpoints, Origin refusal, bearer auth on the
 * upgrade (capability token and HS256 JWT), and startup refusals for unsafe or inconsistent
 * options. Upgrade rejections are read off raw TCP so status and body are visible.
 */

import assert from "node:assert/strict";
import { WsClient } from "./support/clients.ts";
import { runCli, ServerProcess } from "./support/server.ts";
import {
  nowSeconds,
  rawHttp,
  type RawHttpResponse,
  sha256Hex,
  signJwt,
  tempSecretFile,
  upgradeHeaders,
  withWsServer,
} from "./support/ws_helpers.ts";

const SECRET = "0123456789abcdef0123456789abcdef-test-secret";

/** Attempts an upgrade with `extra` headers and returns the raw HTTP response. */
function upgrade(port: number, extra: Record<string, string> = {}): Promise<RawHttpResponse> {
  return rawHttp(port, { headers: upgradeHeaders(extra) });
}

function assertUnauthorized(res: RawHttpResponse, body: string): void {
  assert.equal(res.status, 401, JSON.stringify(res));
  assert.equal(res.body, body);
  assert.equal(res.headers["www-authenticate"], "Bearer");
}

/** Connects with a bearer token, initializes, and checks the connection is usable. */
async function assertAccepted(port: number, token: string): Promise<void> {
  const client = await WsClient.connect(port, { Authorization: `Bearer ${token}` });
  try {
    const init = await client.initialize({ experimentalApi: true });
    assert.ok(init.result.userAgent, JSON.stringify(init));
    const echo = await client.request("mock/experimentalMethod", { value: "authed" });
    assert.deepEqual(echo.result, { echoed: "authed" });
  } finally {
    await client.close();
  }
}

/** The `error:` lines of a CLI run's stderr. */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("error:"));
}

Deno.test("websocket http: GET /readyz and /healthz answer 200; other requests that are not upgrades get 400", async () => {
  await withWsServer({}, async ({ port }) => {
    for (const path of ["/readyz", "/healthz"]) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      await res.body?.cancel();
      assert.equal(res.status, 200, path);
    }
    const other = await rawHttp(port, { path: "/metrics" });
    assert.equal(other.status, 400);
    const root = await rawHttp(port, { path: "/" });
    assert.equal(root.status, 400);
    const post = await rawHttp(port, { method: "POST", path: "/readyz" });
    assert.equal(post.status, 400);
    // The listener still upgrades normally afterwards.
    const client = await WsClient.connect(port);
    assert.ok((await client.initialize()).result.userAgent);
    await client.close();
  });
});

Deno.test("websocket http: any request with an Origin header gets 403, including health checks and upgrades", async () => {
  await withWsServer({}, async ({ port }) => {
    const origin = { Origin: "http://127.0.0.1:3000" };
    for (const path of ["/readyz", "/healthz", "/elsewhere"]) {
      const res = await rawHttp(port, { path, headers: origin });
      assert.equal(res.status, 403, `${path}: ${JSON.stringify(res)}`);
    }
    const up = await upgrade(port, { Origin: "null" });
    assert.equal(up.status, 403);
    await assert.rejects(
      () => WsClient.connect(port, { Origin: "https://evil.example" }),
      /403/,
    );
    // Without Origin the same upgrade succeeds.
    const ok = await upgrade(port);
    assert.equal(ok.status, 101);
    assert.equal(ok.headers["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
});

Deno.test("websocket auth capability-token (file): missing, wrong or malformed bearer gets 401 with the reference reason", async () => {
  const tokenFile = await tempSecretFile("  s3cret-capability-token\n");
  try {
    await withWsServer(
      { args: ["--ws-auth", "capability-token", "--ws-token-file", tokenFile] },
      async ({ port }) => {
        assertUnauthorized(await upgrade(port), "missing websocket bearer token");
        const wrong = await upgrade(port, { Authorization: "Bearer not-the-token" });
        assertUnauthorized(wrong, "invalid websocket bearer token");
        assert.ok(!wrong.body.includes("not-the-token"));
        // The file content is trimmed: the padded form is not the token.
        assertUnauthorized(
          await upgrade(port, { Authorization: "Bearer   s3cret-capability-token\\n" }),
          "invalid websocket bearer token",
        );
        assertUnauthorized(
          await upgrade(port, { Authorization: "Basic czNjcmV0LWNhcGFiaWxpdHktdG9rZW4=" }),
          "invalid authorization header",
        );
        assertUnauthorized(
          await upgrade(port, { Authorization: "Bearer" }),
          "invalid authorization header",
        );
        await assert.rejects(() => WsClient.connect(port), /401/);
        await assertAccepted(port, "s3cret-capability-token");
        // The scheme is case-insensitive.
        const lower = await upgrade(port, { Authorization: "bearer s3cret-capability-token" });
        assert.equal(lower.status, 101);
        // A valid token does not bypass the Origin check.
        const withOrigin = await upgrade(port, {
          Authorization: "Bearer s3cret-capability-token",
          Origin: "http://localhost",
        });
        assert.equal(withOrigin.status, 403);
      },
    );
  } finally {
    await Deno.remove(tokenFile);
  }
});

Deno.test("websocket auth: health endpoints need no token while upgrades do", async () => {
  const digest = await sha256Hex("health-token");
  await withWsServer(
    { args: ["--ws-auth", "capability-token", "--ws-token-sha256", digest] },
    async ({ port }) => {
      for (const path of ["/readyz", "/healthz"]) {
        const res = await rawHttp(port, { path });
        assert.equal(res.status, 200, path);
      }
      assertUnauthorized(await upgrade(port), "missing websocket bearer token");
    },
  );
});

Deno.test("websocket auth capability-token (sha256): only the token with that digest is accepted", async () => {
  const digest = await sha256Hex("digest-token-42");
  await withWsServer(
    { args: ["--ws-auth", "capability-token", "--ws-token-sha256", digest.toUpperCase()] },
    async ({ port }) => {
      assertUnauthorized(
        await upgrade(port, { Authorization: `Bearer ${digest}` }),
        "invalid websocket bearer token",
      );
      assertUnauthorized(
        await upgrade(port, { Authorization: "Bearer digest-token-4" }),
        "invalid websocket bearer token",
      );
      await assertAccepted(port, "digest-token-42");
    },
  );
});

Deno.test("websocket auth signed-bearer-token: valid HS256 JWT accepted; bad signature, garbage, alg or missing exp refused", async () => {
  const secretFile = await tempSecretFile(SECRET + "\n");
  try {
    await withWsServer(
      { args: ["--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", secretFile] },
      async ({ port }) => {
        const exp = nowSeconds() + 300;
        await assertAccepted(port, await signJwt(SECRET, { exp, sub: "tester" }));
        const refusals: Array<[string, string]> = [
          [await signJwt(SECRET + "x", { exp }), "invalid websocket jwt"],
          ["not.a.jwt", "invalid websocket jwt"],
          ["garbage", "invalid websocket jwt"],
          [await signJwt(SECRET, { sub: "no-exp" }), "invalid websocket jwt"],
          [await signJwt(SECRET, { exp: String(exp) }), "invalid websocket jwt"],
          [await signJwt(SECRET, { exp }, { alg: "HS512", typ: "JWT" }), "invalid websocket jwt"],
          [await signJwt(SECRET, { exp }, { alg: "none", typ: "JWT" }), "invalid websocket jwt"],
          [await signJwt(SECRET, { exp: nowSeconds() - 3600 }), "expired websocket jwt"],
        ];
        for (const [token, reason] of refusals) {
          assertUnauthorized(await upgrade(port, { Authorization: `Bearer ${token}` }), reason);
        }
        assertUnauthorized(await upgrade(port), "missing websocket bearer token");
      },
    );
  } finally {
    await Deno.remove(secretFile);
  }
});

Deno.test("websocket auth signed-bearer-token: --ws-issuer and --ws-audience are enforced", async () => {
  const secretFile = await tempSecretFile(SECRET);
  try {
    await withWsServer(
      {
        args: [
          "--ws-auth",
          "signed-bearer-token",
          "--ws-shared-secret-file",
          secretFile,
          "--ws-issuer",
          "issuer-a",
          "--ws-audience",
          "aud-a",
        ],
      },
      async ({ port }) => {
        const exp = nowSeconds() + 300;
        const cases: Array<[Record<string, unknown>, string]> = [
          [{ exp, iss: "issuer-b", aud: "aud-a" }, "websocket jwt issuer mismatch"],
          [{ exp, aud: "aud-a" }, "websocket jwt issuer mismatch"],
          [{ exp, iss: "issuer-a", aud: "aud-b" }, "websocket jwt audience mismatch"],
          [{ exp, iss: "issuer-a" }, "websocket jwt audience mismatch"],
          [{ exp, iss: "issuer-a", aud: ["x", "y"] }, "websocket jwt audience mismatch"],
        ];
        for (const [claims, reason] of cases) {
          const token = await signJwt(SECRET, claims);
          assertUnauthorized(
            await upgrade(port, { Authorization: `Bearer ${token}` }),
            `${reason}`,
          );
        }
        await assertAccepted(port, await signJwt(SECRET, { exp, iss: "issuer-a", aud: "aud-a" }));
        await assertAccepted(
          port,
          await signJwt(SECRET, { exp, iss: "issuer-a", aud: ["other", "aud-a"] }),
        );
      },
    );
  } finally {
    await Deno.remove(secretFile);
  }
});

Deno.test("websocket auth signed-bearer-token: exp/nbf honour --ws-max-clock-skew-seconds (default 30)", async () => {
  const secretFile = await tempSecretFile(SECRET);
  try {
    const base = ["--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", secretFile];
    // Default skew: a token that expired 10 s ago is still accepted.
    await withWsServer({ args: base }, async ({ port }) => {
      await assertAccepted(port, await signJwt(SECRET, { exp: nowSeconds() - 10 }));
      assertUnauthorized(
        await upgrade(port, {
          Authorization: `Bearer ${await signJwt(SECRET, { exp: nowSeconds() - 120 })}`,
        }),
        "expired websocket jwt",
      );
    });
    await withWsServer(
      { args: [...base, "--ws-max-clock-skew-seconds", "0"] },
      async ({ port }) => {
        const expired = await signJwt(SECRET, { exp: nowSeconds() - 10 });
        assertUnauthorized(
          await upgrade(port, { Authorization: `Bearer ${expired}` }),
          "expired websocket jwt",
        );
        const early = await signJwt(SECRET, { exp: nowSeconds() + 600, nbf: nowSeconds() + 300 });
        assertUnauthorized(
          await upgrade(port, { Authorization: `Bearer ${early}` }),
          "websocket jwt is not valid yet",
        );
        await assertAccepted(port, await signJwt(SECRET, { exp: nowSeconds() + 60 }));
      },
    );
  } finally {
    await Deno.remove(secretFile);
  }
});

Deno.test("websocket auth: refused handshakes do not disturb an authenticated connection", async () => {
  const digest = await sha256Hex("steady-token");
  await withWsServer(
    { args: ["--ws-auth", "capability-token", "--ws-token-sha256", digest] },
    async ({ port }) => {
      const client = await WsClient.connect(port, { Authorization: "Bearer steady-token" });
      await client.initialize({ experimentalApi: true });
      const attempts = await Promise.all(
        Array.from({ length: 10 }, (_, i) => upgrade(port, { Authorization: `Bearer bad-${i}` })),
      );
      for (const res of attempts) assertUnauthorized(res, "invalid websocket bearer token");
      const echo = await client.request("mock/experimentalMethod", { value: "still here" });
      assert.deepEqual(echo.result, { echoed: "still here" });
      assert.equal(client.closed, false);
      await client.close();
    },
  );
});

Deno.test("websocket startup: a non-loopback listener without --ws-auth refuses to start", async () => {
  for (const [listen, display] of [["ws://0.0.0.0:0", "0.0.0.0:0"], ["ws://[::]:0", "[::]:0"]]) {
    const res = await runCli(["app-server", "--listen", listen!]);
    assert.equal(res.code, 1, res.stderr);
    assert.deepEqual(errorLines(res.stderr), [
      `error: refusing to start non-loopback websocket listener ${display} without auth; configure \`--ws-auth capability-token\` or \`--ws-auth signed-bearer-token\``,
    ]);
    assert.doesNotMatch(res.stderr, /listening on/);
    assert.equal(res.stdout, "");
  }
});

Deno.test("websocket startup: a non-loopback listener with --ws-auth starts and still requires the token", async () => {
  const digest = await sha256Hex("wide-token");
  const wide = await ServerProcess.start({
    args: [
      "--listen",
      "ws://0.0.0.0:0",
      "--ws-auth",
      "capability-token",
      "--ws-token-sha256",
      digest,
    ],
  });
  try {
    const port = await wide.wsPort();
    await wide.waitForStderr(/note: .*auth/);
    assert.match(wide.stderr, new RegExp(`listening on: ws://0\\.0\\.0\\.0:${port}`));
    assertUnauthorized(await upgrade(port), "missing websocket bearer token");
    await assertAccepted(port, "wide-token");
  } finally {
    await wide.close();
  }
});

Deno.test("websocket startup: conflicting --ws-* flags exit 2, unusable auth files exit 1, each with one error: line", async () => {
  const tokenFile = await tempSecretFile("tok");
  const shortSecret = await tempSecretFile("too-short-secret");
  const emptyToken = await tempSecretFile("  \n");
  const zeros = "0".repeat(64);
  const ws = ["app-server", "--listen", "ws://127.0.0.1:0"];
  const cases: Array<[string[], number, string]> = [
    [
      [...ws, "--ws-token-file", tokenFile],
      2,
      "error: websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`",
    ],
    [
      [
        ...ws,
        "--ws-auth",
        "capability-token",
        "--ws-token-file",
        tokenFile,
        "--ws-token-sha256",
        zeros,
      ],
      2,
      "error: `--ws-token-file` and `--ws-token-sha256` are mutually exclusive",
    ],
    [
      [...ws, "--ws-auth", "capability-token"],
      2,
      "error: `--ws-token-file` or `--ws-token-sha256` is required when `--ws-auth capability-token` is set",
    ],
    [
      [...ws, "--ws-auth", "capability-token", "--ws-token-sha256", "abc"],
      2,
      "error: --ws-token-sha256 must be a 64-character hex SHA-256 digest",
    ],
    [
      [...ws, "--ws-auth", "capability-token", "--ws-token-sha256", zeros, "--ws-issuer", "x"],
      2,
      "error: `--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and `--ws-max-clock-skew-seconds` require `--ws-auth signed-bearer-token`",
    ],
    [
      [...ws, "--ws-auth", "signed-bearer-token"],
      2,
      "error: `--ws-shared-secret-file` is required when `--ws-auth signed-bearer-token` is set",
    ],
    [
      [...ws, "--ws-auth", "signed-bearer-token", "--ws-shared-secret-file", shortSecret],
      1,
      `error: signed websocket bearer secret ${shortSecret} must be at least 32 bytes`,
    ],
    [
      [...ws, "--ws-auth", "capability-token", "--ws-token-file", emptyToken],
      1,
      `error: websocket auth secret ${emptyToken} must not be empty`,
    ],
    [
      [...ws, "--ws-auth", "bogus-mode"],
      2,
      "error: invalid value 'bogus-mode' for '--ws-auth <MODE>' [possible values: capability-token, signed-bearer-token]",
    ],
    [
      [
        ...ws,
        "--ws-auth",
        "signed-bearer-token",
        "--ws-shared-secret-file",
        tokenFile,
        "--ws-max-clock-skew-seconds",
        "1.5",
      ],
      2,
      "error: invalid value '1.5' for '--ws-max-clock-skew-seconds <SECONDS>': invalid digit found in string",
    ],
    [
      [...ws, "--ws-auth", "capability-token", "--ws-token-file", `${tokenFile}.missing`],
      1,
      `error: failed to read websocket auth secret ${tokenFile}.missing: No such file or directory (os error 2)`,
    ],
  ];
  try {
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    // Compare everything at once so one run shows every mismatch.
    const actual = results.map((res) => ({
      code: res.code,
      errors: errorLines(res.stderr),
      listening: /listening on/.test(res.stderr),
    }));
    const expected = cases.map(([, code, line]) => ({ code, errors: [line], listening: false }));
    assert.deepEqual(actual, expected);
  } finally {
    await Promise.all([tokenFile, shortSecret, emptyToken].map((p) => Deno.remove(p)));
  }
});

Deno.test("websocket startup: --ws-auth with a stdio:// listener is a usage error (exit 2)", async () => {
  const digest = await sha256Hex("t");
  const res = await runCli([
    "app-server",
    "--listen",
    "stdio://",
    "--ws-auth",
    "capability-token",
    "--ws-token-sha256",
    digest,
  ]);
  assert.equal(res.code, 2, res.stderr);
  assert.deepEqual(errorLines(res.stderr), [
    "error: --ws-auth applies only to a ws:// --listen URL",
  ]);
  assert.equal(res.stdout, "");
});
