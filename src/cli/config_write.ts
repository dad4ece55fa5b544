/**
 * `codex config set` and `codex config unset`: edits of the user's config.toml through the
 * same comment-preserving, atomic, locked writer as `config/value/write`, so a terminal edit
 * and an IDE edit can never tear the file or each other's changes.
 *
 * @module
 */

import { join } from "node:path";
import { applyEdits, type ConfigEditRequest, writeUserConfig } from "../config/edit.ts";
import { getPath } from "../config/merge.ts";
import { validateConfig } from "../config/schema.ts";
import { locateProblem, renderProblem } from "../config/diagnostics.ts";
import { parseToml, parseTomlValue } from "../config/toml_read.ts";
import { fileLayerVersion } from "../config/layers.ts";
import type { ConfigProblem, TomlTable, TomlValue } from "../config/types.ts";
import { CommandError, printErr, printOut } from "./output.ts";
import {
  type Context,
  isErrorProblem,
  keyArgument,
  layerLabel,
  loadSnapshot,
  originOf,
  useColor,
} from "./config_check.ts";
import { formatKeyPath, isTable, tomlInline } from "./config_format.ts";

/** `set KEY VALUE`. */
export async function runSet(ctx: Context): Promise<number> {
  const keys = keyArgument(ctx.args[0]!, ctx.usage);
  const value = parseTomlValue(ctx.args[1]!);
  return await writeKey(ctx, keys, value);
}

/** `unset KEY`. */
export async function runUnset(ctx: Context): Promise<number> {
  const keys = keyArgument(ctx.args[0]!, ctx.usage);
  return await writeKey(ctx, keys, null);
}

/** Writes (or with null, removes) one key, then says what changed and what now wins. */
async function writeKey(ctx: Context, keys: string[], value: TomlValue | null): Promise<number> {
  const key = formatKeyPath(keys);
  await Deno.mkdir(ctx.inputs.codexHome, { recursive: true });
  const userFile = join(ctx.inputs.codexHome, "config.toml");
  const validate = (table: TomlTable) =>
    validateConfig(table).problems.filter((p) => isErrorProblem(p, false));

  // Each try reads the file, then writes only if nobody changed it meanwhile, so the "was"
  // we print is true and a rewritten parent table never drops someone else's edit.
  let old: TomlValue | undefined;
  let written: Awaited<ReturnType<typeof writeUserConfig>> | undefined;
  for (let attempt = 1; written === undefined; attempt++) {
    const text = await Deno.readTextFile(userFile).catch((err) => {
      if (err instanceof Deno.errors.NotFound) return "";
      throw new CommandError(`cannot read ${userFile}: ${err.message}`);
    });
    const current = parseToml(text, userFile);
    old = getPath(current.table, keys);
    if (value === null && old === undefined) {
      printOut(`${key} is not set in ${userFile}; nothing to remove`);
      return 0;
    }
    const edit = editFor(current.table, keys, value);
    refuseNewProblems(text, edit, current.table, validate, userFile);
    try {
      written = await writeUserConfig({
        codexHome: ctx.inputs.codexHome,
        edits: [edit],
        expectedVersion: fileLayerVersion(current.table, userFile),
        validate,
      });
    } catch (err) {
      if (isVersionConflict(err) && attempt < MAX_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
        continue;
      }
      const message = err instanceof Error ? err.message : String(err);
      throw new CommandError(`${message.trimEnd()}\nnothing was changed`);
    }
  }

  const was = old === undefined ? "was unset" : `was ${tomlInline(old)}`;
  printOut(
    value === null
      ? `unset ${key} (${was}) in ${written.filePath}`
      : `set ${key} = ${tomlInline(value)} (${was}) in ${written.filePath}`,
  );

  for (const p of validateConfig(written.table).problems) {
    if (p.kind === "unknownKey" && p.keyPath !== null && sameOrInside(p.keyPath, key)) {
      printErr(`warning: ${p.message}; Codex keeps it but does not use it`);
    }
  }
  await noteOverride(ctx, keys);
  return 0;
}

/** Concurrent writers each retry this often before giving up. */
const MAX_ATTEMPTS = 50;

function isVersionConflict(err: unknown): boolean {
  const data = (err as { data?: { config_write_error_code?: unknown } }).data;
  return data?.config_write_error_code === "configVersionConflict";
}

/**
 * The edit for the writer, whose key paths are plain dotted words. A key that itself holds
 * a dot (a project folder under `projects`) cannot be named that way, so the nearest table
 * above it is rewritten instead; the writer patches only the entries that differ, so the
 * rest of that table keeps its comments.
 */
function editFor(
  table: TomlTable,
  keys: string[],
  value: TomlValue | null,
): ConfigEditRequest {
  const plain = keys.findIndex((k) => k.includes("."));
  if (plain === -1) return { keyPath: keys.join("."), value, mergeStrategy: "replace" };
  if (plain === 0) {
    throw new CommandError(`cannot edit top-level key ${formatKeyPath(keys)}: it contains '.'`);
  }
  const prefix = keys.slice(0, plain);
  const base = getPath(table, prefix);
  const copy: TomlTable = isTable(base) ? structuredClone(base) : {};
  let parent = copy;
  for (const k of keys.slice(plain, -1)) {
    const next = parent[k];
    parent = parent[k] = isTable(next) ? next : {};
  }
  if (value === null) delete parent[keys[keys.length - 1]!];
  else parent[keys[keys.length - 1]!] = value;
  return { keyPath: prefix.join("."), value: copy, mergeStrategy: "replace" };
}

/**
 * Tries the edit on a copy first, so a refused value is shown in context: the line as it
 * would be written, with the bad value underlined. The writer checks again under its lock.
 */
function refuseNewProblems(
  text: string,
  edit: ConfigEditRequest,
  table: TomlTable,
  validate: (t: TomlTable) => ConfigProblem[],
  file: string,
): void {
  let newText: string;
  try {
    newText = applyEdits(text, [edit]);
  } catch {
    return; // The writer reports this one in its own words.
  }
  const seen = new Set(validate(table).map((p) => `${p.keyPath}\0${p.message}`));
  const fresh = validate(parseToml(newText, file).table)
    .filter((p) => p.kind === "type" && !seen.has(`${p.keyPath}\0${p.message}`));
  if (fresh.length === 0) return;
  const color = useColor(Deno.stderr);
  const rendered = fresh.map((p) =>
    renderProblem(locateProblem(p, file, newText), newText, { color }).trimEnd()
  );
  throw new CommandError(
    `refusing to write an invalid value; nothing was changed\n${rendered.join("\n\n")}`,
  );
}

function sameOrInside(problemPath: string, key: string): boolean {
  return problemPath === key || problemPath.startsWith(key + ".") ||
    problemPath.startsWith(key + "[");
}

/** After a write, a higher layer may still win; say so, or the edit looks like it failed. */
async function noteOverride(ctx: Context, keys: string[]): Promise<void> {
  const after = await loadSnapshot(ctx.inputs);
  const effective = getPath(after.loaded.merged, keys);
  const origin = originOf(after.loaded.origins, keys);
  if (origin && origin.source.type !== "user" && effective !== undefined) {
    const where = origin.file ? ` (${origin.file})` : "";
    printErr(
      `note: ${layerLabel(origin)}${where} also sets ${formatKeyPath(keys)}, so the ` +
        `effective value is ${isTable(effective) ? "a table" : tomlInline(effective)}`,
    );
  }
}
