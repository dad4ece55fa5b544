/**
 * Bounds command output before it goes back to the model: the start and the end of an
 * output are what matter most (the command's echo and its final errors), so the middle goes.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Lines with their terminators; a trailing newline does not start an extra line. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function joinAroundMarker(head: string, marker: string, tail: string): string {
  const sep = head === "" || head.endsWith("\n") ? "" : "\n";
  return `${head}${sep}${marker}\n${tail}`;
}

/** Whether byte `i` continues a UTF-8 sequence (so cutting there would split a character). */
function isContinuation(bytes: Uint8Array, i: number): boolean {
  const b = bytes[i];
  return b !== undefined && (b & 0xc0) === 0x80;
}

/** Output for the model, bounded: when text exceeds maxBytes (default 10 KiB, UTF-8) or maxLines (default 256), keep the first and last halves (by lines, then by bytes, never splitting a UTF-8 character) and put one marker line between: `[... <n> lines omitted ...]` or `[... <n> bytes omitted ...]`; prefix with `Total output lines: <N>\n\n` when anything was cut. */
export function truncateForModel(
  text: string,
  opts: { maxBytes?: number; maxLines?: number } = {},
): string {
  const maxBytes = Math.max(0, Math.floor(opts.maxBytes ?? 10 * 1024));
  const maxLines = Math.max(0, Math.floor(opts.maxLines ?? 256));
  const bytes = encoder.encode(text);
  const lines = splitLines(text);
  if (bytes.length <= maxBytes && lines.length <= maxLines) return text;
  const prefix = `Total output lines: ${lines.length}\n\n`;

  if (lines.length > maxLines) {
    const headCount = Math.floor(maxLines / 2);
    const tailCount = maxLines - headCount;
    const head = lines.slice(0, headCount).join("");
    const tail = lines.slice(lines.length - tailCount).join("");
    // The marker and prefix are not counted against the byte budget, only kept output.
    if (encoder.encode(head).length + encoder.encode(tail).length <= maxBytes) {
      const marker = `[... ${lines.length - maxLines} lines omitted ...]`;
      return prefix + joinAroundMarker(head, marker, tail);
    }
  }

  let headEnd = Math.floor(maxBytes / 2);
  while (headEnd > 0 && isContinuation(bytes, headEnd)) headEnd--;
  let tailStart = bytes.length - (maxBytes - Math.floor(maxBytes / 2));
  while (tailStart < bytes.length && isContinuation(bytes, tailStart)) tailStart++;
  const head = decoder.decode(bytes.subarray(0, headEnd));
  const tail = decoder.decode(bytes.subarray(tailStart));
  const marker = `[... ${tailStart - headEnd} bytes omitted ...]`;
  return prefix + joinAroundMarker(head, marker, tail);
}

/** Formats a duration given in milliseconds as seconds with one decimal ("0.3"), as tool outputs report it. */
export function formatSeconds(ms: number): string {
  return (Number.isFinite(ms) ? Math.max(0, ms) / 1000 : 0).toFixed(1);
}
