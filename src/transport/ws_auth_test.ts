import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  createWsAuthenticator,
  decodeBase64Url,
  isLoopbackIp,
  parseWsAuthOptions,
  unauthenticatedListenerError,
  type WsAuthConfig,
  WsAuthConfigError,
  type WsAuthenticatorOptions,
  type WsAuthRawOptions,
  type WsAuthResult,
} from "./ws_auth.ts";

const CTX = { cwd: "/work/dir", home: "/home/me" };
const SECRET = "s".repeat(32);
const NOW_S = 1_800_000_000;

function parseError(raw: WsAuthRawOptions): WsAuthConfigError {
  try {
    parseWsAuthOptions(raw, CTX);
  } catch (error) {
    assert.ok(error instanceof WsAuthConfigError);
    return error;
  }
  assert.fail("expected WsAuthConfigError");
}

function files(map: Record<string, string>) {
  return (path: string) =>
    path in map ? Promise.resolve(new TextEncoder().encode(map[path])) : Promise.reject(
      new Deno.errors.NotFound(`No such file or directory (os error 2): readfile '${path}'`),
    );
}

function upgrade(authorization?: string): Request {
  const headers = new Headers({ upgrade: "websocket" });
  if (authorization !== undefined) headers.set("authorization", authorization);
  return new Request("http://127.0.0.1/", { headers });
}

function b64url(bytes: Uint8Array | string): string {
  const raw = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

async function signJwt(header: unknown, claims: unknown, secret = SECRET): Promise<string> {
  const encode = (v: unknown) => b64url(typeof v === "string" ? v : JSON.stringify(v));
  const data = `${encode(header)}.${encode(claims)}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data));
  return `${data}.${b64url(new Uint8Array(sig))}`;
}

Deno.test("parseWsAuthOptions() accepts each mode and applies defaults", () => {
  assert.equal(parseWsAuthOptions({}, CTX), null);
  assert.deepEqual(
    parseWsAuthOptions({ wsAuth: "capability-token", wsTokenFile: "/etc/tok" }, CTX),
    { mode: "capability-token", tokenFile: "/etc/tok", tokenSha256: null },
  );
  // Relative and `~` paths are resolved, as the reference does.
  const relative = parseWsAuthOptions(
    { wsAuth: "capability-token", wsTokenFile: "./a/../tok" },
    CTX,
  );
  assert.equal(relative?.mode === "capability-token" && relative.tokenFile, "/work/dir/tok");
  const home = parseWsAuthOptions({ wsAuth: "capability-token", wsTokenFile: "~/tok" }, CTX);
  assert.equal(home?.mode === "capability-token" && home.tokenFile, "/home/me/tok");

  const digest = createHash("sha256").update("x").digest("hex");
  const bySha = parseWsAuthOptions(
    { wsAuth: "capability-token", wsTokenSha256: ` ${digest.toUpperCase()} ` },
    CTX,
  );
  assert.deepEqual(
    bySha?.mode === "capability-token" && bySha.tokenSha256,
    new Uint8Array(createHash("sha256").update("x").digest()),
  );

  assert.deepEqual(
    parseWsAuthOptions({
      wsAuth: "signed-bearer-token",
      wsSharedSecretFile: "/s",
      wsIssuer: " me ",
      wsAudience: "  ",
    }, CTX),
    {
      mode: "signed-bearer-token",
      sharedSecretFile: "/s",
      issuer: "me",
      audience: null,
      maxClockSkewSeconds: 30n,
    },
  );
  const skew = parseWsAuthOptions({
    wsAuth: "signed-bearer-token",
    wsSharedSecretFile: "/s",
    wsMaxClockSkewSeconds: "+5",
  }, CTX);
  assert.equal(skew?.mode === "signed-bearer-token" && skew.maxClockSkewSeconds, 5n);
});

Deno.test("parseWsAuthOptions() refuses bad combinations with the reference's messages", () => {
  const cases: [WsAuthRawOptions, string, 1 | 2][] = [
    [
      { wsTokenFile: "/t" },
      "websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`",
      1,
    ],
    [
      { wsIssuer: "" },
      "websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`",
      1,
    ],
    [
      { wsAuth: "capability-token" },
      "`--ws-token-file` or `--ws-token-sha256` is required when `--ws-auth capability-token` is set",
      1,
    ],
    [
      { wsAuth: "capability-token", wsTokenFile: "/t", wsTokenSha256: "00" },
      "`--ws-token-file` and `--ws-token-sha256` are mutually exclusive",
      1,
    ],
    [
      { wsAuth: "capability-token", wsTokenFile: "/t", wsAudience: "x" },
      "`--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and `--ws-max-clock-skew-seconds` require `--ws-auth signed-bearer-token`",
      1,
    ],
    [
      { wsAuth: "capability-token", wsTokenSha256: "00" },
      "--ws-token-sha256 must be a 64-character hex SHA-256 digest",
      1,
    ],
    [
      { wsAuth: "capability-token", wsTokenSha256: "g".repeat(64) },
      "--ws-token-sha256 must be a 64-character hex SHA-256 digest",
      1,
    ],
    [
      { wsAuth: "signed-bearer-token", wsTokenSha256: "00" },
      "`--ws-token-file` and `--ws-token-sha256` require `--ws-auth capability-token`, not `signed-bearer-token`",
      1,
    ],
    [
      { wsAuth: "signed-bearer-token", wsIssuer: "me" },
      "`--ws-shared-secret-file` is required when `--ws-auth signed-bearer-token` is set",
      1,
    ],
    [
      { wsAuth: "bogus" },
      "invalid value 'bogus' for '--ws-auth <MODE>' [possible values: capability-token, signed-bearer-token]",
      2,
    ],
    [
      { wsAuth: "capability-token", wsTokenFile: "" },
      "a value is required for '--ws-token-file <PATH>' but none was supplied",
      2,
    ],
    [
      { wsAuth: "signed-bearer-token", wsSharedSecretFile: "/s", wsMaxClockSkewSeconds: "abc" },
      "invalid value 'abc' for '--ws-max-clock-skew-seconds <SECONDS>': invalid digit found in string",
      2,
    ],
    [
      { wsAuth: "signed-bearer-token", wsSharedSecretFile: "/s", wsMaxClockSkewSeconds: "" },
      "invalid value '' for '--ws-max-clock-skew-seconds <SECONDS>': cannot parse integer from empty string",
      2,
    ],
    [
      {
        wsAuth: "signed-bearer-token",
        wsSharedSecretFile: "/s",
        wsMaxClockSkewSeconds: "99999999999999999999",
      },
      "invalid value '99999999999999999999' for '--ws-max-clock-skew-seconds <SECONDS>': number too large to fit in target type",
      2,
    ],
  ];
  for (const [raw, message] of cases) {
    assert.equal(parseError(raw).message, message);
  }
});

Deno.test("createWsAuthenticator() reports unreadable or weak secrets at startup", async () => {
  const readFile = files({ "/empty": " \n", "/short": "short\n", "/ok": SECRET });
  const startError = async (
    config: WsAuthConfig,
    options: WsAuthenticatorOptions = { readFile },
  ) => {
    try {
      await createWsAuthenticator(config, options);
    } catch (error) {
      assert.ok(error instanceof WsAuthConfigError);
      return error.message;
    }
    assert.fail("expected failure");
  };
  const signed = (file: string, skew = 30n): WsAuthConfig => ({
    mode: "signed-bearer-token",
    sharedSecretFile: file,
    issuer: null,
    audience: null,
    maxClockSkewSeconds: skew,
  });
  assert.equal(
    await startError(signed("/missing")),
    "failed to read websocket auth secret /missing: No such file or directory (os error 2)",
  );
  assert.equal(
    await startError({ mode: "capability-token", tokenFile: "/empty", tokenSha256: null }),
    "websocket auth secret /empty must not be empty",
  );
  assert.equal(
    await startError(signed("/short")),
    "signed websocket bearer secret /short must be at least 32 bytes",
  );
  assert.equal(
    await startError(signed("/ok", 1n << 63n)),
    "websocket auth clock skew must fit in a signed 64-bit integer",
  );
  const realFile = await Deno.makeTempFile();
  try {
    await Deno.writeFile(realFile, new Uint8Array([0x61, 0xff, 0xfe]));
    assert.equal(
      await startError({ mode: "capability-token", tokenFile: realFile, tokenSha256: null }, {}),
      `failed to read websocket auth secret ${realFile}: stream did not contain valid UTF-8`,
    );
  } finally {
    await Deno.remove(realFile);
  }
});

Deno.test("capability token: accepts the trimmed file token and refuses others", async () => {
  const auth = await createWsAuthenticator(
    { mode: "capability-token", tokenFile: "/tok", tokenSha256: null },
    { readFile: files({ "/tok": "  tok123 \n" }) },
  );
  const cases: [string | undefined, WsAuthResult][] = [
    ["Bearer tok123", { ok: true }],
    ["bearer tok123", { ok: true }],
    ["BEARER    tok123", { ok: true }],
    ["Bearer wrong", { ok: false, status: 401, reason: "invalid websocket bearer token" }],
    ["Bearer tok1234", { ok: false, status: 401, reason: "invalid websocket bearer token" }],
    [undefined, { ok: false, status: 401, reason: "missing websocket bearer token" }],
    ["Basic tok123", { ok: false, status: 401, reason: "invalid authorization header" }],
    ["Bearer", { ok: false, status: 401, reason: "invalid authorization header" }],
    ["Bearer\ttok123", { ok: false, status: 401, reason: "invalid authorization header" }],
    ["Bearer tok\u00e9", { ok: false, status: 401, reason: "invalid authorization header" }],
  ];
  for (const [header, expected] of cases) {
    assert.deepEqual(await auth(upgrade(header)), expected, String(header));
  }
});

Deno.test("capability token: accepts a token matching --ws-token-sha256", async () => {
  const digest = new Uint8Array(createHash("sha256").update("secret-token").digest());
  const auth = await createWsAuthenticator({
    mode: "capability-token",
    tokenFile: null,
    tokenSha256: digest,
  });
  assert.deepEqual(await auth(upgrade("Bearer secret-token")), { ok: true });
  assert.equal((await auth(upgrade("Bearer secret-tokeN"))).ok, false);
});

Deno.test("signed bearer token: validates signature, time window, iss and aud", async () => {
  const config: WsAuthConfig = {
    mode: "signed-bearer-token",
    sharedSecretFile: "/secret",
    issuer: "me",
    audience: "you",
    maxClockSkewSeconds: 30n,
  };
  const auth = await createWsAuthenticator(config, {
    readFile: files({ "/secret": `${SECRET}\n` }),
    now: () => NOW_S * 1000 + 999,
  });
  const H = { alg: "HS256", typ: "JWT" };
  const good = { exp: NOW_S + 60, iss: "me", aud: "you" };
  const check = async (token: string) => await auth(upgrade(`Bearer ${token}`));
  const reason = async (token: string) => {
    const result = await check(token);
    return result.ok ? "ok" : result.reason;
  };
  const valid = await signJwt(H, good);
  const [h, p, s] = valid.split(".") as [string, string, string];

  assert.equal(await reason(valid), "ok");
  assert.equal(await reason(await signJwt({ alg: "HS256" }, { ...good, aud: ["x", "you"] })), "ok");
  assert.equal(await reason(await signJwt({ alg: "HS256", extra: [1] }, good)), "ok");
  // The skew applies on both ends, inclusive.
  assert.equal(await reason(await signJwt(H, { ...good, exp: NOW_S - 30 })), "ok");
  assert.equal(
    await reason(await signJwt(H, { ...good, exp: NOW_S - 31 })),
    "expired websocket jwt",
  );
  assert.equal(await reason(await signJwt(H, { ...good, nbf: NOW_S + 30 })), "ok");
  assert.equal(
    await reason(await signJwt(H, { ...good, nbf: NOW_S + 31 })),
    "websocket jwt is not valid yet",
  );
  assert.equal(await reason(await signJwt(H, { ...good, nbf: null })), "ok");
  assert.equal(
    await reason(await signJwt(H, { ...good, iss: "other" })),
    "websocket jwt issuer mismatch",
  );
  assert.equal(
    await reason(await signJwt(H, { exp: NOW_S + 60, aud: "you" })),
    "websocket jwt issuer mismatch",
  );
  assert.equal(
    await reason(await signJwt(H, { ...good, aud: ["x"] })),
    "websocket jwt audience mismatch",
  );
  assert.equal(
    await reason(await signJwt(H, { exp: NOW_S + 60, iss: "me" })),
    "websocket jwt audience mismatch",
  );

  const invalid: [string, string][] = [
    ["wrong secret", await signJwt(H, good, "t".repeat(32))],
    ["alg none", `${b64url('{"alg":"none"}')}.${p}.`],
    ["alg HS384", await signJwt({ alg: "HS384" }, good)],
    ["typ not a string", await signJwt({ alg: "HS256", typ: 5 }, good)],
    ["tampered payload", `${h}.${b64url(JSON.stringify({ ...good, exp: NOW_S + 9999 }))}.${s}`],
    ["padded signature", `${valid}=`],
    ["standard base64 alphabet", `${h}.${p}.${s.replace(/-/g, "+").replace(/_/g, "/")}x`],
    ["four segments", `${valid}.x`],
    ["two segments", `${h}.${p}`],
    ["not base64", `${h}.${p}!.${s}`],
    ["exp missing", await signJwt(H, { iss: "me", aud: "you" })],
    ["exp null", await signJwt(H, { ...good, exp: null })],
    ["exp string", await signJwt(H, { ...good, exp: String(NOW_S + 60) })],
    ["exp float", await signJwt(H, `{"exp":${NOW_S + 60}.0,"iss":"me","aud":"you"}`)],
    ["exp beyond i64", await signJwt(H, `{"exp":99999999999999999999,"iss":"me","aud":"you"}`)],
    ["iss not a string", await signJwt(H, { ...good, iss: 5 })],
    ["aud not a string", await signJwt(H, { ...good, aud: 5 })],
    ["claims array", await signJwt(H, [NOW_S + 60])],
    ["claims not json", await signJwt(H, "{exp")],
  ];
  for (const [name, token] of invalid) {
    assert.equal(await reason(token), "invalid websocket jwt", name);
  }
  assert.equal(await reason("x"), "invalid websocket jwt");
  assert.deepEqual(await auth(upgrade()), {
    ok: false,
    status: 401,
    reason: "missing websocket bearer token",
  });
});

Deno.test("signed bearer token: huge exp and zero skew", async () => {
  const auth = await createWsAuthenticator({
    mode: "signed-bearer-token",
    sharedSecretFile: "/secret",
    issuer: null,
    audience: null,
    maxClockSkewSeconds: 0n,
  }, { readFile: files({ "/secret": SECRET }), now: () => NOW_S * 1000 });
  const ok = async (claims: unknown) =>
    (await auth(upgrade(`Bearer ${await signJwt({ alg: "HS256" }, claims)}`))).ok;
  assert.equal(await ok(`{"exp":99999999999999999}`), true);
  assert.equal(await ok({ exp: NOW_S }), true);
  assert.equal(await ok({ exp: NOW_S - 1 }), false);
  assert.equal(await ok({ exp: NOW_S + 5, nbf: NOW_S + 1 }), false);
  assert.equal(await ok({ exp: NOW_S + 5, iss: "anyone", aud: ["a"] }), true);
});

Deno.test("decodeBase64Url() is strict", () => {
  assert.deepEqual(decodeBase64Url("aGk"), new TextEncoder().encode("hi"));
  assert.deepEqual(decodeBase64Url(""), new Uint8Array());
  assert.equal(decodeBase64Url("aGk="), null);
  assert.equal(decodeBase64Url("aGl"), null); // non-zero trailing bits
  assert.equal(decodeBase64Url("a"), null);
  assert.equal(decodeBase64Url("a+b/"), null);
});

Deno.test("unauthenticatedListenerError() refuses non-loopback binds without auth", () => {
  assert.equal(isLoopbackIp("127.0.0.2"), true);
  assert.equal(isLoopbackIp("::1"), true);
  assert.equal(isLoopbackIp("[0:0::1]"), true);
  assert.equal(isLoopbackIp("::ffff:127.0.0.1"), false);
  assert.equal(isLoopbackIp("0.0.0.0"), false);
  assert.equal(isLoopbackIp("::"), false);
  assert.equal(unauthenticatedListenerError("127.0.0.1", "127.0.0.1:0", null), null);
  assert.equal(
    unauthenticatedListenerError("::", "[::]:0", null),
    "refusing to start non-loopback websocket listener [::]:0 without auth; configure `--ws-auth capability-token` or `--ws-auth signed-bearer-token`",
  );
  const config: WsAuthConfig = { mode: "capability-token", tokenFile: "/t", tokenSha256: null };
  assert.equal(unauthenticatedListenerError("0.0.0.0", "0.0.0.0:1", config), null);
});
