/**
 * Bounded output capture: the first and last bytes of a stream are kept and the middle is
 * counted, so a command printing gigabytes costs a fixed amount of memory while the
 * beginning (what started) and the end (how it ended) stay readable.
 *
 * @module
 */

function codeUnitBytes(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** UTF-8 length of a string without encoding it (a lone surrogate counts as U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHigh(c) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += codeUnitBytes(c);
  }
  return n;
}

/** The longest prefix of `s` within `max` bytes, never splitting a character. */
function prefixWithin(s: string, max: number): [string, number] {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const pair = isHigh(c) && i + 1 < s.length && isLow(s.charCodeAt(i + 1));
    const w = pair ? 4 : codeUnitBytes(c);
    if (bytes + w > max) break;
    bytes += w;
    i += pair ? 2 : 1;
  }
  return [s.slice(0, i), bytes];
}

/** The longest suffix of `s` within `max` bytes, never splitting a character. */
function suffixWithin(s: string, max: number): [string, number] {
  let bytes = 0;
  let i = s.length;
  while (i > 0) {
    const c = s.charCodeAt(i - 1);
    const pair = isLow(c) && i >= 2 && isHigh(s.charCodeAt(i - 2));
    const w = pair ? 4 : codeUnitBytes(c);
    if (bytes + w > max) break;
    bytes += w;
    i -= pair ? 2 : 1;
  }
  return [s.slice(i), bytes];
}

function joinAroundMarker(head: string, omitted: number, tail: string): string {
  const sep = head === "" || head.endsWith("\n") ? "" : "\n";
  return `${head}${sep}[... ${omitted} bytes omitted ...]\n${tail}`;
}

/**
 * Keeps the first and last halves of a stream of text within a byte budget and counts
 * what fell in between: the start and end of output are what matter, memory stays bounded.
 */
export class HeadTailBuffer {
  readonly #headCap: number;
  readonly #tailCap: number;
  #head: string[] = [];
  #headBytes = 0;
  #headFull = false;
  #tail: { text: string; bytes: number }[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(capBytes: number) {
    const cap = Math.max(0, Math.floor(capBytes));
    this.#headCap = Math.floor(cap / 2);
    this.#tailCap = cap - this.#headCap;
  }

  /** Bytes pushed so far, kept or not. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Bytes pushed but not kept. */
  get droppedBytes(): number {
    return this.#total - this.#headBytes - this.#tailBytes;
  }

  push(text: string, bytes: number = utf8Length(text)): void {
    if (text === "") return;
    this.#total += bytes;
    if (!this.#headFull) {
      if (this.#headBytes + bytes <= this.#headCap) {
        this.#head.push(text);
        this.#headBytes += bytes;
        return;
      }
      const [h, hb] = prefixWithin(text, this.#headCap - this.#headBytes);
      if (h !== "") this.#head.push(h);
      this.#headBytes += hb;
      this.#headFull = true;
      text = text.slice(h.length);
      bytes -= hb;
    }
    this.#tail.push({ text, bytes });
    this.#tailBytes += bytes;
    while (this.#tailBytes > this.#tailCap) {
      const first = this.#tail[0];
      if (!first) break;
      const excess = this.#tailBytes - this.#tailCap;
      if (first.bytes <= excess) {
        this.#tail.shift();
        this.#tailBytes -= first.bytes;
      } else {
        const [t, tb] = suffixWithin(first.text, first.bytes - excess);
        this.#tailBytes -= first.bytes - tb;
        first.text = t;
        first.bytes = tb;
      }
    }
  }

  /** The kept text, with a marker where bytes were dropped; `maxBytes` cuts it further. */
  render(maxBytes?: number): string {
    const head = this.#head.join("");
    const tail = this.#tail.map((t) => t.text).join("");
    const dropped = this.droppedBytes;
    if (maxBytes === undefined || this.#total <= maxBytes) {
      return dropped === 0 ? head + tail : joinAroundMarker(head, dropped, tail);
    }
    const headSrc = dropped === 0 ? head + tail : head;
    const tailSrc = dropped === 0 ? head + tail : tail;
    const [h, hb] = prefixWithin(headSrc, Math.floor(maxBytes / 2));
    const [t, tb] = suffixWithin(tailSrc, maxBytes - Math.floor(maxBytes / 2));
    return joinAroundMarker(h, this.#total - hb - tb, t);
  }
}
