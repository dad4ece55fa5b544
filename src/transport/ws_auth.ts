/**
 * WebSocket handshake authentication (`--ws-auth`), matching Codex 0.169:
 * a capability token compared by SHA-256 digest, or an HS256 JWT signed with
 * a shared secret. Option errors, 401 reasons and defaults use the
 * reference's wording because clients and scripts key off them.
 *
 * @module
 */

import { constantTimeEqual, sha256 } from "../util/sha256.ts";
import { isAbsolute, join, resolve } from "node:path";

/** The two `--ws-auth` modes. */
export type WsAuthMode = "capability-token" | "signed-bearer-token";

const MODES: readonly WsAuthMode[] = ["capability-token", "signed-bearer-token"];

/** Default `--ws-max-clock-skew-seconds`. */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 30n;

/** HS256 secrets shorter than this (after trimming) are refused at startup. */
export const MIN_SHARED_SECRET_BYTES = 32;

const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

/** Raw option values as given on the command line (absent = not given). */
export interface WsAuthRawOptions {
  wsAuth?: string;
  wsTokenFile?: string;
  wsTokenSha256?: string;
  wsSharedSecretFile?: string;
  wsIssuer?: string;
  wsAudience?: string;
  wsMaxClockSkewSeconds?: string;
}

/** Validated `--ws-auth` settings; files are not read yet. */
export type WsAuthConfig =
  | {
    mode: "capability-token";
    /** Absolute path of the token file, or null when a digest was given. */
    tokenFile: string | null;
    /** SHA-256 of the token (32 bytes), or null when a file was given. */
    tokenSha256: Uint8Array | null;
  }
  | {
    mode: "signed-bearer-token";
    sharedSecretFile: string;
    /** Required `iss`, trimmed; null when not configured or blank. */
    issuer: string | null;
    /** Required `aud` (string or array member), trimmed; null when not configured or blank. */
    audience: string | null;
    /** Unsigned as on the CLI; values above i64 are refused when the authenticator starts. */
    maxClockSkewSeconds: bigint;
  };

/**
 * A refused `--ws-*` option (from {@linkcode parseWsAuthOptions}: a bad command line) or an
 * unusable auth file (from {@linkcode createWsAuthenticator}: a startup failure).
 * `message` is always a single line.
 */
export class WsAuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WsAuthConfigError";
  }
}

/** Where relative and `~` paths are resolved from (defaults: process cwd and `$HOME`). */
export interface PathContext {
  cwd?: string;
  home?: string;
}

function envHome(): string | undefined {
  try {
    return Deno.env.get("HOME");
  } catch {
    return undefined;
  }
}

/** Like the reference: `~` expands to home, relative paths resolve against cwd, `..` folds away. */
function absolutePath(path: string, context: PathContext): string {
  const home = context.home ?? envHome();
  let p = path;
  if (home && (p === "~" || p.startsWith("~/"))) p = join(home, p.slice(1));
  return isAbsolute(p) ? resolve(p) : resolve(context.cwd ?? Deno.cwd(), p);
}

/** Parses like Rust's `u64::from_str` so the messages match the reference's CLI. */
function parseU64(flag: string, value: string): bigint {
  const fail = (why: string) =>
    new WsAuthConfigError(`invalid value '${value}' for '${flag}': ${why}`);
  if (value === "" || value === "+") throw fail("cannot parse integer from empty string");
  const digits = value.startsWith("+") ? value.slice(1) : value;
  if (!/^[0-9]+$/.test(digits)) throw fail("invalid digit found in string");
  const n = BigInt(digits);
  if (n > U64_MAX) throw fail("number too large to fit in target type");
  return n;
}

/** Rust's `str::trim` (Unicode White_Space), which differs from JS `trim` on U+FEFF and U+0085. */
function rustTrim(text: string): string {
  return text.replace(
    /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g,
    "",
  );
}

function nonBlank(value: string | undefined): string | null {
  if (value === undefined) return null;
  const trimmed = rustTrim(value);
  return trimmed === "" ? null : trimmed;
}

function requirePathValue(flag: string, value: string | undefined): void {
  if (value === "") {
    throw new WsAuthConfigError(
      `a value is required for '${flag}' but none was supplied`,
    );
  }
}

/**
 * Validates the `--ws-*` options. Returns null when no auth is configured.
 * Checks run in the reference's order, so the first error reported matches.
 *
 * @throws {WsAuthConfigError}
 */
export function parseWsAuthOptions(
  raw: WsAuthRawOptions,
  context: PathContext = {},
): WsAuthConfig | null {
  // Argument-parser level checks first, as clap rejects these before anything else.
  if (raw.wsAuth !== undefined && !MODES.includes(raw.wsAuth as WsAuthMode)) {
    throw new WsAuthConfigError(
      `invalid value '${raw.wsAuth}' for '--ws-auth <MODE>' [possible values: ${MODES.join(", ")}]`,
    );
  }
  requirePathValue("--ws-token-file <PATH>", raw.wsTokenFile);
  requirePathValue("--ws-shared-secret-file <PATH>", raw.wsSharedSecretFile);
  const skew = raw.wsMaxClockSkewSeconds === undefined
    ? undefined
    : parseU64("--ws-max-clock-skew-seconds <SECONDS>", raw.wsMaxClockSkewSeconds);

  const has = (value: string | undefined) => value !== undefined;
  const signedOnly = has(raw.wsSharedSecretFile) || has(raw.wsIssuer) ||
    has(raw.wsAudience) || skew !== undefined;
  const tokenFlags = has(raw.wsTokenFile) || has(raw.wsTokenSha256);

  switch (raw.wsAuth as WsAuthMode | undefined) {
    case undefined:
      if (signedOnly || tokenFlags) {
        throw new WsAuthConfigError(
          "websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`",
        );
      }
      return null;
    case "capability-token": {
      if (signedOnly) {
        throw new WsAuthConfigError(
          "`--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and `--ws-max-clock-skew-seconds` require `--ws-auth signed-bearer-token`",
        );
      }
      if (has(raw.wsTokenFile) && has(raw.wsTokenSha256)) {
        throw new WsAuthConfigError(
          "`--ws-token-file` and `--ws-token-sha256` are mutually exclusive",
        );
      }
      if (raw.wsTokenFile !== undefined) {
        return {
          mode: "capability-token",
          tokenFile: absolutePath(raw.wsTokenFile, context),
          tokenSha256: null,
        };
      }
      if (raw.wsTokenSha256 !== undefined) {
        return {
          mode: "capability-token",
          tokenFile: null,
          tokenSha256: parseSha256Hex(raw.wsTokenSha256),
        };
      }
      throw new WsAuthConfigError(
        "`--ws-token-file` or `--ws-token-sha256` is required when `--ws-auth capability-token` is set",
      );
    }
    case "signed-bearer-token":
      if (tokenFlags) {
        throw new WsAuthConfigError(
          "`--ws-token-file` and `--ws-token-sha256` require `--ws-auth capability-token`, not `signed-bearer-token`",
        );
      }
      if (raw.wsSharedSecretFile === undefined) {
        throw new WsAuthConfigError(
          "`--ws-shared-secret-file` is required when `--ws-auth signed-bearer-token` is set",
        );
      }
      return {
        mode: "signed-bearer-token",
        sharedSecretFile: absolutePath(raw.wsSharedSecretFile, context),
        issuer: nonBlank(raw.wsIssuer),
        audience: nonBlank(raw.wsAudience),
        maxClockSkewSeconds: skew ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS,
      };
  }
}

function parseSha256Hex(value: string): Uint8Array {
  const hex = rustTrim(value);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new WsAuthConfigError("--ws-token-sha256 must be a 64-character hex SHA-256 digest");
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

// --- Listener policy ----------------------------------------------------------

/** True for 127.0.0.0/8 and `::1` only (an IPv4-mapped `::ffff:127.x` is not loopback, as in Rust). */
export function isLoopbackIp(host: string): boolean {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(h)) return h.split(".")[0] === "127";
  if (!h.includes(":")) return false;
  const halves = h.split("::");
  if (halves.length > 2) return false;
  const groups = (part: string | undefined) =>
    part ? part.split(":").map((g) => parseInt(g, 16)) : [];
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...new Array<number>(Math.max(0, fill)).fill(0), ...tail];
  return all.length === 8 && all.slice(0, 7).every((g) => g === 0) && all[7] === 1;
}

/**
 * The startup error for a non-loopback listener without auth (the reference
 * refuses to start, exit 1), or null when the listener is acceptable.
 * `displayAddr` is the bound address as printed, e.g. `0.0.0.0:4500` or `[::]:0`.
 */
export function unauthenticatedListenerError(
  host: string,
  displayAddr: string,
  config: WsAuthConfig | null,
): string | null {
  if (config !== null || isLoopbackIp(host)) return null;
  return `refusing to start non-loopback websocket listener ${displayAddr} without auth; configure \`--ws-auth capability-token\` or \`--ws-auth signed-bearer-token\``;
}

// --- Authenticator --------------------------------------------------------------

/** Outcome of checking one upgrade request. */
export type WsAuthResult =
  | { ok: true }
  | {
    ok: false;
    status: 401;
    /** Reference wording, safe to send as the plain-text 401 body; never contains the token. */
    reason: string;
  };

/** Checks the `Authorization` header of one upgrade request. */
export type WsAuthenticator = (request: Request) => Promise<WsAuthResult>;

/** Test hooks for {@link createWsAuthenticator}. */
export interface WsAuthenticatorOptions {
  /** Current time in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /** Reads a file; default `Deno.readFile`. */
  readFile?: (path: string) => Promise<Uint8Array>;
}

function osErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Deno appends `: readfile '<path>'`; the reference prints only the OS part.
  const os = /^(.*?\(os error \d+\))/.exec(message);
  return os ? os[1]! : message;
}

async function readTrimmedSecret(
  path: string,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<string> {
  let text: string;
  try {
    const bytes = await readFile(path);
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new Error("stream did not contain valid UTF-8");
    }
  } catch (error) {
    throw new WsAuthConfigError(
      `failed to read websocket auth secret ${path}: ${osErrorText(error)}`,
    );
  }
  const trimmed = rustTrim(text);
  if (trimmed === "") {
    throw new WsAuthConfigError(`websocket auth secret ${path} must not be empty`);
  }
  return trimmed;
}

const refuse = (reason: string): WsAuthResult => ({ ok: false, status: 401, reason });
const INVALID_HEADER = "invalid authorization header";
const INVALID_JWT = "invalid websocket jwt";

/** Extracts the bearer token the way the reference does (`<scheme> <token>`, scheme any case). */
function bearerToken(request: Request): string | WsAuthResult {
  const header = request.headers.get("authorization");
  if (header === null) return refuse("missing websocket bearer token");
  // Header values must be visible ASCII (or tab); anything else is unreadable to the reference.
  for (let i = 0; i < header.length; i++) {
    const c = header.charCodeAt(i);
    if (c !== 9 && (c < 32 || c > 126)) return refuse(INVALID_HEADER);
  }
  const space = header.indexOf(" ");
  if (space < 0 || header.slice(0, space).toLowerCase() !== "bearer") {
    return refuse(INVALID_HEADER);
  }
  const token = header.slice(space + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  return token === "" ? refuse(INVALID_HEADER) : token;
}

/**
 * Reads the token or secret file once and returns the per-request check.
 * Startup failures use the reference's messages (exit 1 there).
 *
 * @throws {WsAuthConfigError}
 */
export async function createWsAuthenticator(
  config: WsAuthConfig,
  options: WsAuthenticatorOptions = {},
): Promise<WsAuthenticator> {
  const readFile = options.readFile ?? ((path: string) => Deno.readFile(path));
  const now = options.now ?? Date.now;

  if (config.mode === "capability-token") {
    const expected = config.tokenSha256 ??
      sha256(await readTrimmedSecret(config.tokenFile!, readFile));
    return (request) => {
      const token = bearerToken(request);
      if (typeof token !== "string") return Promise.resolve(token);
      // Comparing fixed-size digests keeps the check constant-time regardless of token length.
      const ok = constantTimeEqual(sha256(token), expected);
      return Promise.resolve(ok ? { ok: true } : refuse("invalid websocket bearer token"));
    };
  }

  const secret = new TextEncoder().encode(
    await readTrimmedSecret(config.sharedSecretFile, readFile),
  );
  if (secret.length < MIN_SHARED_SECRET_BYTES) {
    throw new WsAuthConfigError(
      `signed websocket bearer secret ${config.sharedSecretFile} must be at least ${MIN_SHARED_SECRET_BYTES} bytes`,
    );
  }
  if (config.maxClockSkewSeconds > I64_MAX) {
    throw new WsAuthConfigError("websocket auth clock skew must fit in a signed 64-bit integer");
  }
  const key = await crypto.subtle.importKey(
    "raw",
    secret,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const policy: JwtPolicy = {
    key,
    issuer: config.issuer,
    audience: config.audience,
    skew: config.maxClockSkewSeconds,
    now,
  };
  return async (request) => {
    const token = bearerToken(request);
    if (typeof token !== "string") return token;
    return await verifyJwt(token, policy);
  };
}

// --- HS256 JWT --------------------------------------------------------------------

interface JwtPolicy {
  key: CryptoKey;
  issuer: string | null;
  audience: string | null;
  skew: bigint;
  now: () => number;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64URL_INDEX = new Map([...B64URL].map((c, i) => [c, i]));

/** Strict unpadded base64url: no `=`, no stray characters, zero trailing bits. */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor(text.length * 3 / 4));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (const c of text) {
    const v = B64URL_INDEX.get(c);
    if (v === undefined) return null;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** Parses JSON and keeps the source text of top-level numbers, so `1.0` and huge values can be told apart. */
function parseJsonWithNumberSources(
  bytes: Uint8Array,
): { value: unknown; sources: Map<string, string> } | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
  const perObject = new WeakMap<object, Map<string, string>>();
  try {
    const value: unknown = JSON.parse(
      text,
      function (this: object, key: string, v: unknown, context?: { source?: string }) {
        if (typeof v === "number" && context?.source !== undefined) {
          let map = perObject.get(this);
          if (!map) perObject.set(this, map = new Map());
          map.set(key, context.source);
        }
        return v;
      } as (key: string, value: unknown) => unknown,
    );
    const sources = value !== null && typeof value === "object"
      ? perObject.get(value) ?? new Map()
      : new Map<string, string>();
    return { value, sources };
  } catch {
    return null;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** An i64 claim (`exp`, `nbf`): integer literal only, as serde rejects `1.0` and strings. */
function i64Claim(
  claims: Record<string, unknown>,
  sources: Map<string, string>,
  name: string,
): bigint | null | undefined {
  const value = claims[name];
  if (value === undefined || value === null) return null;
  const source = sources.get(name);
  if (typeof value !== "number" || source === undefined || !/^-?\d+$/.test(source)) {
    return undefined;
  }
  const n = BigInt(source);
  return n < I64_MIN || n > I64_MAX ? undefined : n;
}

const optionalString = (v: unknown) => v === undefined || v === null || typeof v === "string";

/** Header fields the reference's JWT library types; a wrong type there fails decoding. */
function headerIsValid(header: unknown): boolean {
  if (!isPlainObject(header) || header.alg !== "HS256") return false;
  for (const name of ["typ", "cty", "jku", "kid", "x5u", "x5t", "x5t#S256"]) {
    if (!optionalString(header[name])) return false;
  }
  const x5c = header.x5c;
  return x5c === undefined || x5c === null ||
    (Array.isArray(x5c) && x5c.every((c) => typeof c === "string"));
}

async function verifyJwt(token: string, policy: JwtPolicy): Promise<WsAuthResult> {
  const parts = token.split(".");
  if (parts.length !== 3) return refuse(INVALID_JWT);
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];

  const headerBytes = decodeBase64Url(headerPart);
  const header = headerBytes && parseJsonWithNumberSources(headerBytes);
  if (!header || !headerIsValid(header.value)) return refuse(INVALID_JWT);

  const signature = decodeBase64Url(signaturePart);
  if (!signature) return refuse(INVALID_JWT);
  const signedData = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  // WebCrypto's HMAC verify compares in constant time.
  const valid = await crypto.subtle.verify("HMAC", policy.key, signature, signedData);
  if (!valid) return refuse(INVALID_JWT);

  const payloadBytes = decodeBase64Url(payloadPart);
  const payload = payloadBytes && parseJsonWithNumberSources(payloadBytes);
  if (!payload || !isPlainObject(payload.value)) return refuse(INVALID_JWT);
  const claims = payload.value;
  const exp = i64Claim(claims, payload.sources, "exp");
  const nbf = i64Claim(claims, payload.sources, "nbf");
  const iss = claims.iss;
  const aud = claims.aud;
  const audOk = optionalString(aud) ||
    (Array.isArray(aud) && aud.every((a) => typeof a === "string"));
  if (exp === null || exp === undefined || nbf === undefined || !optionalString(iss) || !audOk) {
    return refuse(INVALID_JWT);
  }

  const now = BigInt(Math.floor(policy.now() / 1000));
  if (now > exp + policy.skew) return refuse("expired websocket jwt");
  if (nbf !== null && now < nbf - policy.skew) return refuse("websocket jwt is not valid yet");
  if (policy.issuer !== null && iss !== policy.issuer) {
    return refuse("websocket jwt issuer mismatch");
  }
  if (policy.audience !== null) {
    const audiences = Array.isArray(aud) ? aud : typeof aud === "string" ? [aud] : [];
    if (!audiences.includes(policy.audience)) return refuse("websocket jwt audience mismatch");
  }
  return { ok: true };
}
