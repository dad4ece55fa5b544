/**
 * Thread ids: UUIDv7, like the reference. The leading 48 bits are the creation time in
 * milliseconds, so ids sort by creation and the rollout's date folder can be guessed from the
 * id alone (used by the fallback scan in `archive.ts`).
 *
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Creates a UUIDv7 for `nowMs` (defaults to the current time). */
export function newThreadId(nowMs: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let ms = Math.max(0, Math.floor(nowMs));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // RFC 4122 variant
  const h = Array.from(bytes, (b) => HEX[b]!).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const HYPHENATED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SIMPLE = /^[0-9a-f]{32}$/i;

/**
 * Parses a UUID in the spellings the reference accepts (hyphenated, simple, braced, urn; any
 * case) and returns the canonical lowercase hyphenated form, or `null`. Canonical form matters
 * because ids are compared as strings in the index and in cursors.
 */
export function parseUuid(text: string): string | null {
  let s = text;
  if (/^urn:uuid:/i.test(s)) s = s.slice(9);
  else if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1);
  if (HYPHENATED.test(s)) return s.toLowerCase();
  if (SIMPLE.test(s)) {
    const h = s.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${
      h.slice(20)
    }`;
  }
  return null;
}

/** Milliseconds embedded in a UUIDv7, or `null` when `id` is not a v7 UUID. */
export function uuidV7Millis(id: string): number | null {
  const canonical = parseUuid(id);
  if (canonical === null || canonical[14] !== "7") return null;
  return parseInt(canonical.slice(0, 8) + canonical.slice(9, 13), 16);
}
