/**
 * Replaces a file so that a reader (or a crash) sees either the old contents or the new,
 * never a mix: write a temp file in the same folder, fsync it, rename it over the target,
 * then fsync the folder so the rename itself survives a power loss.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";

/** Options of {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Permission bits of the new file (default 0o600 masked by the umask). */
  mode?: number;
}

/**
 * Writes `text` to `path` atomically. The temp file starts with a dot and ends in `.tmp`, so
 * folder scans that look for the final name never pick it up.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${Deno.pid}.${crypto.randomUUID()}.tmp`);
  try {
    const file = await Deno.open(tmp, {
      write: true,
      createNew: true,
      mode: (options.mode ?? 0o600) & 0o777,
    });
    try {
      const bytes = new TextEncoder().encode(text);
      for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch {
    // Some platforms cannot fsync a folder; the rename itself is still atomic.
  }
}
