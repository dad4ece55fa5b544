/**
 * Paths the model gives, resolved against the turn's working directory.
 *
 * @module
 */

import { resolve } from "node:path";

/** `path` made absolute against `cwd` (no symlink resolution); `cwd` itself when absent. */
export function resolvePath(cwd: string, path: string | null): string {
  return path ? resolve(cwd, path) : cwd;
}
