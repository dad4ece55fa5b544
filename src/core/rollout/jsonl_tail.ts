/**
 * Append-only JSONL files (rollouts, the session index) recover from a crash mid-line by
 * starting the next record on a fresh line. This tells whether that is needed.
 *
 * @module
 */

/** True when the file of `size` bytes at `path` is empty or ends with `\n`. */
export async function endsWithNewline(path: string, size: number): Promise<boolean> {
  if (size === 0) return true;
  const reader = await Deno.open(path, { read: true });
  try {
    await reader.seek(size - 1, Deno.SeekMode.Start);
    const last = new Uint8Array(1);
    await reader.read(last);
    return last[0] === 0x0a;
  } finally {
    reader.close();
  }
}
