/**
 * Request ids as the client wrote them. `JSON.parse` turns `9223372036854775807` into a
 * rounded double and `1.0` into `1`; the reference echoes 64-bit ids digit for digit and
 * treats `1.0` as "not an id". So we look at the source text of the top-level `id`.
 *
 * @module
 */

/** An integer id beyond 2^53, kept as its exact digits and re-emitted verbatim. */
export type BigRequestId = { readonly rawJSON: string };

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/**
 * Returns the source text of a top-level member's primitive value (`"id": 12` → `12`,
 * `"id":"a\"b"` → `"a\"b"`), or null when the member is absent, nested, or not a string
 * or number. Works on a prefix of a message too (for oversized input).
 */
export function topLevelMemberSource(text: string, key: string): string | null {
  let depth = 0;
  let i = 0;
  const n = text.length;
  // Tracks, at depth 1, whether the next string is an object key.
  let expectKey = false;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end === -1) return null;
      if (depth === 1 && expectKey) {
        const name = text.slice(i, end + 1);
        i = skipWs(text, end + 1);
        if (text[i] !== ":") return null;
        i = skipWs(text, i + 1);
        if (safeKeyEquals(name, key)) return primitiveAt(text, i);
        expectKey = false;
        continue;
      }
      i = end + 1;
      continue;
    }
    if (c === "{" || c === "[") {
      depth++;
      expectKey = c === "{" && depth === 1;
    } else if (c === "}" || c === "]") {
      depth--;
    } else if (c === "," && depth === 1) {
      expectKey = true;
    }
    i++;
  }
  return null;
}

/**
 * Normalises a parsed numeric id against its source: integers in the signed 64-bit range
 * are ids (beyond 2^53 they become {@linkcode BigRequestId}); anything written with a
 * fraction or exponent, or out of range, is not an id (the message is then a notification,
 * as in the reference).
 */
export function numericIdFromSource(source: string): number | BigRequestId | undefined {
  if (!/^-?\d+$/.test(source)) return undefined;
  const big = BigInt(source);
  if (big < I64_MIN || big > I64_MAX) return undefined;
  const asNumber = Number(source);
  if (Number.isSafeInteger(asNumber)) return asNumber;
  return (JSON as unknown as { rawJSON(text: string): BigRequestId }).rawJSON(source);
}

/** True for a {@linkcode BigRequestId}. */
export function isBigRequestId(value: unknown): value is BigRequestId {
  return (JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(value);
}

function primitiveAt(text: string, i: number): string | null {
  if (text[i] === '"') {
    const end = stringEnd(text, i);
    return end === -1 ? null : text.slice(i, end + 1);
  }
  const m = /^-?[0-9][0-9.eE+-]*/.exec(text.slice(i, i + 64));
  if (!m) return null;
  const after = skipWs(text, i + m[0].length);
  // A number cut off by the end of a prefix is not trustworthy.
  if (after >= text.length || (text[after] !== "," && text[after] !== "}")) return null;
  return m[0];
}

function safeKeyEquals(quoted: string, key: string): boolean {
  if (quoted === `"${key}"`) return true;
  if (!quoted.includes("\\")) return false;
  try {
    return JSON.parse(quoted) === key;
  } catch {
    return false;
  }
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i;
    else i++;
  }
  return -1;
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}
