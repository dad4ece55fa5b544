/**
 * Where Codex keeps its files: `$CODEX_HOME`, or `~/.codex`. Always reported as an absolute
 * path, because clients use it to find rollouts and config.
 *
 * @module
 */

import { isAbsolute, join, resolve } from "node:path";

/** Resolves the Codex home directory from the environment. */
export function resolveCodexHome(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  cwd: string = Deno.cwd(),
): string {
  const configured = env.CODEX_HOME?.trim();
  if (configured) {
    const path = isAbsolute(configured) ? configured : resolve(cwd, configured);
    try {
      return Deno.realPathSync(path);
    } catch {
      return resolve(path);
    }
  }
  const home = env.HOME ?? env.USERPROFILE ?? cwd;
  return join(home, ".codex");
}
