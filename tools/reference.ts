/**
 * Locates (and on first use installs) a reference Codex binary from npm, so the conformance
 * check and the benchmarks can compare against the real thing without committing it.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The version our wire protocol targets. */
export const REFERENCE_VERSION = "0.105.0";
/** A later version whose additions we are allowed to emit. */
export const LATER_VERSION = "0.169.0";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Folder that holds reference installs; ignored by git. */
export const REFERENCE_CACHE = join(PROJECT_ROOT, ".cache", "reference");

/**
 * Returns the path of the `codex` binary of `version`, installing `@openai/codex@version`
 * into `.cache/reference/<version>` with npm when it is not there yet.
 */
export async function ensureReference(version: string = REFERENCE_VERSION): Promise<string> {
  const prefix = join(REFERENCE_CACHE, version);
  const bin = join(prefix, "node_modules", ".bin", "codex");
  if (await exists(bin)) return bin;
  await Deno.mkdir(prefix, { recursive: true });
  const out = await new Deno.Command("npm", {
    args: ["install", "--no-audit", "--no-fund", "--prefix", prefix, `@openai/codex@${version}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success || !(await exists(bin))) {
    const err = new TextDecoder().decode(out.stderr);
    throw new Error(`Cannot install @openai/codex@${version}: ${err.trim()}`);
  }
  return bin;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
