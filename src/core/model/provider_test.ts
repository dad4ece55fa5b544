import assert from "node:assert/strict";
import { ModelError } from "./errors.ts";
import {
  builtinProviders,
  DEFAULT_REQUEST_MAX_RETRIES,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  DEFAULT_STREAM_MAX_RETRIES,
  ProviderConfigError,
  providerHeaders,
  providerUrl,
  resolveApiKey,
  resolveProvider,
} from "./provider.ts";

Deno.test("built-in providers: openai, ollama and lmstudio with their default URLs", () => {
  const p = builtinProviders({});
  assert.equal(p["openai"]!.baseUrl, "https://api.openai.com/v1");
  assert.equal(p["openai"]!.envKey, "OPENAI_API_KEY");
  assert.equal(p["ollama"]!.baseUrl, "http://localhost:11434/v1");
  assert.equal(p["lmstudio"]!.baseUrl, "http://localhost:1234/v1");
  assert.equal(p["ollama"]!.envKey, null);
  assert.equal(p["openai"]!.requestMaxRetries, DEFAULT_REQUEST_MAX_RETRIES);
  assert.equal(p["openai"]!.streamMaxRetries, DEFAULT_STREAM_MAX_RETRIES);
  assert.equal(p["openai"]!.streamIdleTimeoutMs, DEFAULT_STREAM_IDLE_TIMEOUT_MS);
});

Deno.test("built-in providers: environment overrides of the base URLs", () => {
  const p = builtinProviders({ OPENAI_BASE_URL: "http://proxy/v1/", CODEX_OSS_PORT: "9999" });
  assert.equal(p["openai"]!.baseUrl, "http://proxy/v1");
  assert.equal(p["ollama"]!.baseUrl, "http://localhost:9999/v1");
  const q = builtinProviders({ CODEX_OSS_BASE_URL: "http://gpu:8000/v1" });
  assert.equal(q["lmstudio"]!.baseUrl, "http://gpu:8000/v1");
});

Deno.test("resolveProvider: a config table with every field", () => {
  const p = resolveProvider(
    {
      mine: {
        name: "Mine",
        base_url: "http://127.0.0.1:9/v1/",
        env_key: "MINE_KEY",
        env_key_instructions: "Ask Bob.",
        wire_api: "responses",
        query_params: { "api-version": "1" },
        http_headers: { "X-A": "a" },
        env_http_headers: { "X-B": "B_VAR" },
        request_max_retries: 1n,
        stream_max_retries: 0,
        stream_idle_timeout_ms: 250,
      },
    },
    "mine",
    {},
  );
  assert.equal(p.name, "Mine");
  assert.equal(p.baseUrl, "http://127.0.0.1:9/v1");
  assert.equal(p.requestMaxRetries, 1);
  assert.equal(p.streamMaxRetries, 0);
  assert.equal(p.streamIdleTimeoutMs, 250);
  assert.equal(providerUrl(p, "responses"), "http://127.0.0.1:9/v1/responses?api-version=1");
  assert.deepEqual(providerHeaders(p, { B_VAR: "b" }), { "X-A": "a", "X-B": "b" });
  assert.deepEqual(providerHeaders(p, { B_VAR: "  " }), { "X-A": "a" });
});

Deno.test("resolveProvider: defaults, caps, built-ins win, unknown ids fail", () => {
  const p = resolveProvider({ m: { name: "M", request_max_retries: 1000 } }, "m", {});
  assert.equal(p.baseUrl, "https://api.openai.com/v1");
  assert.equal(p.requestMaxRetries, 100);
  assert.equal(p.streamMaxRetries, DEFAULT_STREAM_MAX_RETRIES);
  const o = resolveProvider({ openai: { name: "evil", base_url: "http://evil/v1" } }, "openai", {});
  assert.equal(o.baseUrl, "https://api.openai.com/v1");
  assert.throws(() => resolveProvider({}, "ghost", {}), {
    name: "ProviderConfigError",
    message: "Model provider `ghost` not found",
  });
});

Deno.test("resolveProvider: wire_api chat and bad values are refused", () => {
  assert.throws(
    () => resolveProvider({ c: { name: "C", wire_api: "chat" } }, "c", {}),
    (e) => e instanceof ProviderConfigError && e.message.startsWith('`wire_api = "chat"`'),
  );
  assert.throws(() => resolveProvider({ c: { name: "C", base_url: "not a url" } }, "c", {}));
  assert.throws(() => resolveProvider({ c: { name: "C", stream_max_retries: -1 } }, "c", {}));
  assert.throws(() => resolveProvider({ c: { name: "C", http_headers: { a: 1 } } }, "c", {}));
});

Deno.test("resolveApiKey: env_key, override, bearer token, and the missing-variable error", () => {
  const p = resolveProvider(
    { m: { name: "M", env_key: "MINE_KEY", env_key_instructions: "Ask Bob." } },
    "m",
    {},
  );
  assert.equal(resolveApiKey(p, { MINE_KEY: "k1" }), "k1");
  assert.equal(resolveApiKey(p, {}, "from-auth"), "from-auth");
  assert.throws(() => resolveApiKey(p, { MINE_KEY: " " }), (e) => {
    assert.ok(e instanceof ModelError);
    assert.equal(e.message, "Missing environment variable: `MINE_KEY`. Ask Bob.");
    assert.equal(e.codexErrorInfo, "other");
    assert.equal(e.retryable, false);
    return true;
  });
  const t = resolveProvider({ t: { name: "T", experimental_bearer_token: "tok" } }, "t", {});
  assert.equal(resolveApiKey(t, {}), "tok");
  assert.equal(resolveApiKey(builtinProviders({})["ollama"]!, {}), null);
});
