/**
 * Format-preserving edits of the user `config.toml`, and the one safe way to write it.
 *
 * Edits are applied to the parsed document first (so `upsert`, deletes and validation work on
 * data), then the text is patched statement by statement: untouched lines, comments, blank
 * lines and key order stay byte for byte; a changed value is replaced in place (keeping its key
 * and trailing comment); a removed key or table takes the comment lines right above it with
 * it; new keys go at the end of their table, new tables at the end of the file. We do not use
 * `@rainbowatcher/toml-edit-js` here: it cannot edit top-level keys and writes empty headers for
 * implicit parents (`[profiles]` before `[profiles.p]`), which the reference does not.
 *
 * Writers are serialised per file in-process (a promise chain) and across processes (a
 * `config.toml.lock` file), and the file is replaced atomically (temp file, fsync, rename), so
 * concurrent writers can never leave a torn or interleaved file.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { internalError } from "../jsonrpc/errors.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { ConfigProblem, TomlTable } from "./types.ts";
import {
  applyEdits,
  type ConfigEditRequest,
  configWriteError,
  type ConfigWriteErrorCode,
} from "./edit_text.ts";
import { parseToml } from "./toml_read.ts";
import { fileLayerVersion } from "./layers.ts";
import { formatProblem } from "./diagnostics.ts";

export { applyEdits, type ConfigEditRequest, configWriteError, type ConfigWriteErrorCode };

/** Inputs of {@linkcode writeUserConfig}. */
export interface WriteUserConfigOptions {
  codexHome: string;
  edits: readonly ConfigEditRequest[];
  /** The `sha256:` version the caller last read; a different current version is a conflict. */
  expectedVersion?: string | null;
  /** Type-checks a whole user config (unknown keys are fine). */
  validate: (table: TomlTable) => ConfigProblem[];
}

/** What a successful write produced. */
export interface WriteUserConfigResult {
  filePath: string;
  /** The new user-layer version. */
  version: string;
  /** The new user layer as parsed back from disk text. */
  table: TomlTable;
}

/** How long another writer may hold the lock before we consider it crashed. */
const LOCK_STALE_MS = 10_000;
/** How long we wait for the lock before giving up. */
const LOCK_TIMEOUT_MS = 30_000;
const chains = new Map<string, Promise<unknown>>();

/**
 * Applies `edits` to `$CODEX_HOME/config.toml` (created if missing) and replaces the file
 * atomically. Concurrent calls for the same file run one after another, in this process and
 * across processes. Throws an `RpcError` with the reference's `config_write_error_code`.
 */
export function writeUserConfig(opts: WriteUserConfigOptions): Promise<WriteUserConfigResult> {
  const filePath = join(opts.codexHome, "config.toml");
  const run = (chains.get(filePath) ?? Promise.resolve())
    .then(() => withFileLock(filePath, () => writeLocked(filePath, opts)));
  const tail = run.catch(() => {});
  chains.set(filePath, tail);
  void tail.then(() => {
    if (chains.get(filePath) === tail) chains.delete(filePath);
  });
  return run;
}

async function writeLocked(
  filePath: string,
  opts: WriteUserConfigOptions,
): Promise<WriteUserConfigResult> {
  const text = await readIfExists(filePath);
  const current = parseToml(text, filePath);
  const broken = current.problems.find((p) => p.kind === "syntax");
  if (
    opts.expectedVersion != null &&
    opts.expectedVersion !== fileLayerVersion(current.table, filePath)
  ) {
    throw configWriteError(
      "configVersionConflict",
      "Configuration was modified since last read. Fetch latest version and retry.",
    );
  }
  if (broken) {
    throw configWriteError(
      "configValidationError",
      `Cannot edit a config file that is not valid TOML: ${formatProblem(broken)}`,
    );
  }
  const newText = applyEdits(text, opts.edits);
  const written = parseToml(newText, filePath);
  const bad = written.problems.find((p) => p.kind === "syntax");
  if (bad) throw internalError(`config edit produced invalid TOML: ${formatProblem(bad)}`);
  // Problems the file already had do not block an unrelated write; new ones do.
  const before = new Set(opts.validate(current.table).map(problemKey));
  const problem = opts.validate(written.table)
    .find((p) => p.kind === "type" && !before.has(problemKey(p)));
  if (problem) {
    const where = problem.keyPath ? `in \`${problem.keyPath}\`\n` : "";
    throw configWriteError(
      "configValidationError",
      `Invalid configuration: ${problem.message}\n${where}`,
    );
  }
  await replaceAtomically(filePath, newText);
  return { filePath, version: fileLayerVersion(written.table, filePath), table: written.table };
}

function problemKey(p: ConfigProblem): string {
  return `${p.kind}\u0000${p.keyPath}\u0000${p.message}`;
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "";
    throw err;
  }
}

/**
 * Holds `<file>.lock` (created exclusively) while `fn` runs, so writers in other processes
 * wait their turn. A lock older than {@linkcode LOCK_STALE_MS} is left over from a crash and
 * is taken over.
 */
async function withFileLock<T>(filePath: string, fn: () => Promise<T>): Promise<T> {
  const lockPath = `${filePath}.lock`;
  await Deno.mkdir(dirname(filePath), { recursive: true });
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let delay = 2;
  for (;;) {
    try {
      const f = await Deno.open(lockPath, { write: true, createNew: true });
      await f.write(new TextEncoder().encode(`${Deno.pid}\n`));
      f.close();
      break;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    const mtime = await Deno.stat(lockPath).then((s) => s.mtime?.getTime() ?? 0, () => null);
    if (mtime !== null && Date.now() - mtime > LOCK_STALE_MS) {
      await Deno.remove(lockPath).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) {
      throw internalError(`timed out waiting for another writer to release ${lockPath}`);
    }
    await new Promise((r) => setTimeout(r, delay * (1 + Math.random())));
    delay = Math.min(delay * 2, 50);
  }
  try {
    return await fn();
  } finally {
    await Deno.remove(lockPath).catch(() => {});
  }
}

/**
 * Writes a temp file next to the target (following a symlinked config.toml to its real
 * file), fsyncs it, renames it over the target and fsyncs the folder: readers see the old
 * file or the new one, never a mix.
 */
async function replaceAtomically(filePath: string, text: string): Promise<void> {
  const target = await Deno.realPath(filePath).catch(() => filePath);
  const mode = await Deno.stat(target).then((s) => s.mode ?? 0o600, () => 0o600);
  await writeFileAtomic(target, text, { mode });
}
