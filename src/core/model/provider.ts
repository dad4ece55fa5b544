/**
 * Model providers: the built-in ones and `[model_providers.<id>]` from config, resolved into
 * one plain record the Responses client can use without looking at config again.
 *
 * Built-ins win over a config table of the same id, as in the reference, so a stray
 * `[model_providers.openai]` cannot silently redirect traffic. Secrets (`env_key`) are read
 * only when a request is made ({@linkcode resolveApiKey}), so a thread can start without the
 * key and the turn fails with a message naming the variable, as the reference does.
 *
 * @module
 */

import type { TomlTable, TomlValue } from "../../config/types.ts";
import { ModelError } from "./errors.ts";

/** Environment lookups, injectable for tests. */
export type Env = Record<string, string | undefined>;

/** A provider with every default filled in. */
export interface ModelProvider {
  id: string;
  name: string;
  /** Without a trailing slash, e.g. `https://api.openai.com/v1`. */
  baseUrl: string;
  envKey: string | null;
  envKeyInstructions: string | null;
  /** `experimental_bearer_token`: a key written into config (discouraged, but supported). */
  bearerToken: string | null;
  queryParams: Record<string, string>;
  httpHeaders: Record<string, string>;
  /** Header name → environment variable holding its value; unset variables are skipped. */
  envHttpHeaders: Record<string, string>;
  requestMaxRetries: number;
  streamMaxRetries: number;
  streamIdleTimeoutMs: number;
  requiresOpenaiAuth: boolean;
  wireApi: "responses";
}

/** A provider that cannot be used as configured. */
export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderConfigError";
  }
}

export const DEFAULT_REQUEST_MAX_RETRIES = 4;
export const DEFAULT_STREAM_MAX_RETRIES = 5;
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;
/** Upper bound on either retry count, so a typo cannot make a turn retry for hours. */
export const MAX_RETRIES = 100;

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";
export const OLLAMA_DEFAULT_PORT = 11434;
export const LMSTUDIO_DEFAULT_PORT = 1234;

const CHAT_WIRE_API_MESSAGE = '`wire_api = "chat"` is no longer supported.\n' +
  'How to fix: set `wire_api = "responses"` in your provider config.\n' +
  "More info: https://github.com/openai/codex/discussions/7782";

function base(id: string, name: string, baseUrl: string): ModelProvider {
  return {
    id,
    name,
    baseUrl,
    envKey: null,
    envKeyInstructions: null,
    bearerToken: null,
    queryParams: {},
    httpHeaders: {},
    envHttpHeaders: {},
    requestMaxRetries: DEFAULT_REQUEST_MAX_RETRIES,
    streamMaxRetries: DEFAULT_STREAM_MAX_RETRIES,
    streamIdleTimeoutMs: DEFAULT_STREAM_IDLE_TIMEOUT_MS,
    requiresOpenaiAuth: false,
    wireApi: "responses",
  };
}

function nonEmpty(value: string | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

/** Local OpenAI-compatible servers; `CODEX_OSS_BASE_URL` / `CODEX_OSS_PORT` move them. */
function ossProvider(id: string, name: string, defaultPort: number, env: Env): ModelProvider {
  const port = nonEmpty(env["CODEX_OSS_PORT"]) ?? String(defaultPort);
  const url = nonEmpty(env["CODEX_OSS_BASE_URL"]) ?? `http://localhost:${port}/v1`;
  return base(id, name, trimSlash(url));
}

/** The built-in providers (`openai`, `ollama`, `lmstudio`) for an environment. */
export function builtinProviders(env: Env = Deno.env.toObject()): Record<string, ModelProvider> {
  const openai = base(
    "openai",
    "OpenAI",
    trimSlash(nonEmpty(env["OPENAI_BASE_URL"]) ?? OPENAI_DEFAULT_BASE_URL),
  );
  openai.envKey = "OPENAI_API_KEY";
  openai.envKeyInstructions =
    "Export an OpenAI API key as OPENAI_API_KEY before starting the server.";
  openai.requiresOpenaiAuth = true;
  openai.envHttpHeaders = {
    "OpenAI-Organization": "OPENAI_ORGANIZATION",
    "OpenAI-Project": "OPENAI_PROJECT",
  };
  return {
    openai,
    ollama: ossProvider("ollama", "gpt-oss", OLLAMA_DEFAULT_PORT, env),
    lmstudio: ossProvider("lmstudio", "gpt-oss", LMSTUDIO_DEFAULT_PORT, env),
  };
}

/**
 * Resolves provider `id` from the `[model_providers]` tables (as in
 * `EffectiveConfig.modelProviders`) and the built-ins.
 */
export function resolveProvider(
  modelProviders: Record<string, TomlTable>,
  id: string,
  env: Env = Deno.env.toObject(),
): ModelProvider {
  const builtin = builtinProviders(env)[id];
  if (builtin) return builtin;
  const table = Object.hasOwn(modelProviders, id) ? modelProviders[id] : undefined;
  if (!table) throw new ProviderConfigError(`Model provider \`${id}\` not found`);
  return fromTable(id, table);
}

function fromTable(id: string, t: TomlTable): ModelProvider {
  const where = `model_providers.${id}`;
  const wireApi = optString(t, "wire_api", where) ?? "responses";
  if (wireApi === "chat") throw new ProviderConfigError(CHAT_WIRE_API_MESSAGE);
  if (wireApi !== "responses") {
    throw new ProviderConfigError(
      `${where}.wire_api: unknown variant \`${wireApi}\`, expected \`responses\``,
    );
  }
  const baseUrl = optString(t, "base_url", where) ?? OPENAI_DEFAULT_BASE_URL;
  if (!URL.canParse(baseUrl)) {
    throw new ProviderConfigError(`${where}.base_url: not a valid URL: ${baseUrl}`);
  }
  return {
    id,
    name: optString(t, "name", where) ?? id,
    baseUrl: trimSlash(baseUrl),
    envKey: optString(t, "env_key", where),
    envKeyInstructions: optString(t, "env_key_instructions", where),
    bearerToken: optString(t, "experimental_bearer_token", where),
    queryParams: stringMap(t, "query_params", where),
    httpHeaders: stringMap(t, "http_headers", where),
    envHttpHeaders: stringMap(t, "env_http_headers", where),
    requestMaxRetries: count(t, "request_max_retries", where, DEFAULT_REQUEST_MAX_RETRIES, true),
    streamMaxRetries: count(t, "stream_max_retries", where, DEFAULT_STREAM_MAX_RETRIES, true),
    streamIdleTimeoutMs: count(
      t,
      "stream_idle_timeout_ms",
      where,
      DEFAULT_STREAM_IDLE_TIMEOUT_MS,
      false,
    ),
    requiresOpenaiAuth: t["requires_openai_auth"] === true,
    wireApi: "responses",
  };
}

/**
 * The API key for a request: `apiKeyOverride` (e.g. from the auth store) first, then the
 * provider's `experimental_bearer_token`, then its `env_key`. A configured `env_key` whose
 * variable is unset or blank fails with the reference's message and the provider's hint.
 */
export function resolveApiKey(
  provider: ModelProvider,
  env: Env = Deno.env.toObject(),
  apiKeyOverride: string | null = null,
): string | null {
  if (apiKeyOverride) return apiKeyOverride;
  if (provider.bearerToken) return provider.bearerToken;
  if (provider.envKey === null) return null;
  const key = nonEmpty(env[provider.envKey]);
  if (key !== null) return key;
  const hint = provider.envKeyInstructions ? ` ${provider.envKeyInstructions}` : "";
  throw new ModelError(`Missing environment variable: \`${provider.envKey}\`.${hint}`, "other");
}

/** `{base_url}/{path}` with the provider's query parameters. */
export function providerUrl(provider: ModelProvider, path: string): string {
  const url = new URL(`${provider.baseUrl}/${path.replace(/^\/+/, "")}`);
  for (const [k, v] of Object.entries(provider.queryParams)) url.searchParams.append(k, v);
  return url.toString();
}

/** `http_headers` plus `env_http_headers` whose variables are set and non-blank. */
export function providerHeaders(
  provider: ModelProvider,
  env: Env = Deno.env.toObject(),
): Record<string, string> {
  const out: Record<string, string> = { ...provider.httpHeaders };
  for (const [header, variable] of Object.entries(provider.envHttpHeaders)) {
    const value = nonEmpty(env[variable]);
    if (value !== null) out[header] = value;
  }
  return out;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function optString(t: TomlTable, key: string, where: string): string | null {
  const v = t[key];
  if (v === undefined) return null;
  if (typeof v !== "string") throw new ProviderConfigError(`${where}.${key}: expected a string`);
  return v;
}

function stringMap(t: TomlTable, key: string, where: string): Record<string, string> {
  const v: TomlValue | undefined = t[key];
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Date) {
    throw new ProviderConfigError(`${where}.${key}: expected a table of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v as TomlTable)) {
    if (typeof value !== "string") {
      throw new ProviderConfigError(`${where}.${key}.${k}: expected a string`);
    }
    out[k] = value;
  }
  return out;
}

function count(t: TomlTable, key: string, where: string, fallback: number, capped: boolean) {
  const v = t[key];
  if (v === undefined) return fallback;
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new ProviderConfigError(`${where}.${key}: expected a non-negative integer`);
  }
  return capped ? Math.min(n, MAX_RETRIES) : n;
}
