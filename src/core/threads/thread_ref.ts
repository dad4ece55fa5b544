/**
 * Thread id parsing with the reference's error texts. Clients match on
 * `invalid thread id: <reason>`, and the reason is the one the Rust `uuid` crate gives, so the
 * reason is rebuilt here from the same rules (first bad character, then the group count, then
 * the first group of the wrong length).
 *
 * @module
 */

import { parseUuid } from "../rollout/thread_id.ts";

const GROUP_STARTS = [0, 9, 14, 19, 24] as const;
const GROUP_LENGTHS = [8, 4, 4, 4, 12] as const;
const HEX_DIGIT = /^[0-9a-fA-F]$/;

/** Canonical id, or the reason it is not one. */
export type ParsedThreadId = { ok: true; id: string } | { ok: false; reason: string };

/** Parses a client-supplied thread id. */
export function parseThreadId(text: string): ParsedThreadId {
  const id = strictUuid(text);
  return id === null ? { ok: false, reason: uuidErrorReason(text) } : { ok: true, id };
}

/** Only the spellings the `uuid` crate accepts (`parseUuid` also takes a braced simple form). */
function strictUuid(text: string): string | null {
  const braced = text.startsWith("{") && text.endsWith("}");
  if (braced && text.length !== 38) return null;
  if (/^urn:uuid:/i.test(text) && text.length !== 45) return null;
  return parseUuid(text);
}

/** Why `text` is not a UUID, worded as the `uuid` crate words it. */
export function uuidErrorReason(text: string): string {
  let body = text;
  let offset = 0;
  let simple = true;
  if (text.length >= 2 && text.startsWith("{") && text.endsWith("}")) {
    body = text.slice(1, -1);
    offset = 1;
    simple = false;
  } else if (text.startsWith("urn:uuid:")) {
    body = text.slice(9);
    offset = 9;
    simple = false;
  }
  const bytes = new TextEncoder().encode(body);
  let hyphens = 0;
  const bounds: number[] = [];
  let index = 0;
  for (const ch of body) {
    if (ch === "-") {
      if (hyphens < 4) bounds.push(index);
      hyphens++;
    } else if (!HEX_DIGIT.test(ch)) {
      return "invalid character: expected an optional prefix of `urn:uuid:` followed by " +
        `[0-9a-fA-F-], found \`${ch}\` at ${index + offset + 1}`;
    }
    index += new TextEncoder().encode(ch).length;
  }
  if (hyphens === 0 && simple) {
    return `invalid length: expected length 32 for simple format, found ${bytes.length}`;
  }
  if (hyphens !== 4) return `invalid group count: expected 5, found ${hyphens + 1}`;
  for (let group = 0; group < 4; group++) {
    if (bounds[group] !== GROUP_STARTS[group + 1]! - 1) {
      const len = bounds[group]! - GROUP_STARTS[group]!;
      return `invalid group length in group ${group}: expected ${
        GROUP_LENGTHS[group]
      }, found ${len}`;
    }
  }
  const len = new TextEncoder().encode(text).length - GROUP_STARTS[4];
  return `invalid group length in group 4: expected 12, found ${len}`;
}
