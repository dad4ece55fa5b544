/**
 * `codex config validate` and `codex config path`: the two commands that answer "why is my
 * setting not taking effect?" — one lists every problem with its exact place, the other
 * every file that could hold a setting and whether it is read.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { formatProblem } from "../config/diagnostics.ts";
import { printOut } from "./output.ts";
import {
  type ConfigSnapshot,
  type Context,
  isErrorProblem,
  layerLabel,
  loadSnapshot,
  plural,
  renderForHumans,
  useColor,
} from "./config_check.ts";

/** `validate [--strict] [--json]`: every problem, then a one-line verdict; exit 1 on errors. */
export async function runValidate(ctx: Context): Promise<number> {
  const strict = ctx.values.strict === true;
  const snapshot = await loadSnapshot(ctx.inputs);
  const { problems } = snapshot;
  const errors = problems.filter((p) => isErrorProblem(p, strict)).length;
  const warnings = problems.length - errors;
  const files = checkedFiles(snapshot);
  const ignored = snapshot.loaded.layers.filter((l) => l.disabledReason !== null);

  if (ctx.values.json) {
    printOut(JSON.stringify(
      {
        ok: errors === 0,
        strict,
        errors,
        warnings,
        files,
        problems: problems.map((p) => ({
          severity: isErrorProblem(p, strict) ? "error" : "warning",
          ...p,
          display: formatProblem(p),
        })),
        ignored: ignored.map((l) => ({ file: l.file, reason: l.disabledReason })),
      },
      null,
      2,
    ));
    return errors > 0 ? 1 : 0;
  }

  const color = useColor(Deno.stdout);
  const blocks = problems.map((p) => renderForHumans(p, snapshot, { strict, color }));
  for (const layer of ignored) {
    blocks.push(`note: ${layer.file ?? layerLabel(layer)} is ignored: ${layer.disabledReason}`);
  }
  const checked = `${plural(files.length, "file")} checked`;
  const counts = [
    ...(errors > 0 ? [plural(errors, "error")] : []),
    ...(warnings > 0 ? [plural(warnings, "warning")] : []),
  ].join(", ");
  let verdict: string;
  if (errors > 0) verdict = `invalid: ${counts} (${checked})`;
  else if (warnings > 0) {
    const hint = !strict && problems.some((p) => p.kind === "unknownKey")
      ? "; --strict treats unknown keys as errors"
      : "";
    verdict = `ok: ${checked}, ${counts}${hint}`;
  } else verdict = `ok: ${checked}, no problems`;
  printOut([...blocks, verdict].join("\n\n"));
  return errors > 0 ? 1 : 0;
}

/** Files that exist and were read: every layer with text, plus requirements.toml. */
function checkedFiles(snapshot: ConfigSnapshot): string[] {
  const files = snapshot.loaded.layers.flatMap((l) => l.file && l.text !== null ? [l.file] : []);
  if (exists(snapshot.requirementsFile)) files.push(snapshot.requirementsFile);
  return [...new Set(files)];
}

interface PathRow {
  kind: string;
  file: string;
  exists: boolean;
  used: boolean;
  disabledReason: string | null;
  problems: number;
}

/** `path [--json]`: every place configuration is read from, lowest precedence first. */
export async function runPath(ctx: Context): Promise<number> {
  const snapshot = await loadSnapshot(ctx.inputs);
  const { loaded, systemDir } = snapshot;
  const cwd = ctx.inputs.cwd ?? Deno.cwd();
  const root = projectRoot(cwd, loaded.merged.project_root_markers);
  const problemsIn = (file: string) => snapshot.problems.filter((p) => p.file === file).length;
  const row = (kind: string, file: string, disabledReason: string | null = null): PathRow => {
    const found = exists(file);
    return {
      kind,
      file,
      exists: found,
      used: found && disabledReason === null,
      disabledReason,
      problems: problemsIn(file),
    };
  };

  const rows: PathRow[] = [row("system", join(systemDir, "config.toml"))];
  const user = loaded.layers.find((l) => l.source.type === "user");
  rows.push(row("user", user?.file ?? join(ctx.inputs.codexHome, "config.toml")));
  const projectLayers = loaded.layers.filter((l) => l.source.type === "project");
  const folders = projectFolders(root, cwd).filter((f) => f !== ctx.inputs.codexHome);
  for (const layer of projectLayers) {
    const folder = layer.file ? dirname(layer.file) : null;
    if (folder && !folders.includes(folder)) folders.push(folder);
  }
  for (const folder of folders) {
    const layer = projectLayers.find((l) => l.file && dirname(l.file) === folder);
    const file = join(folder, "config.toml");
    const unlisted = !layer && exists(file) ? "not among the loaded project layers" : null;
    rows.push(row("project", file, layer?.disabledReason ?? unlisted));
  }
  rows.push(row("managed", join(systemDir, "managed_config.toml")));
  const requirements = row("requirements", snapshot.requirementsFile);
  const flags = loaded.layers.find((l) => l.source.type === "sessionFlags");
  const flagCount = flags ? Object.keys(flags.raw).length : 0;

  if (ctx.values.json) {
    printOut(JSON.stringify({ cwd, projectRoot: root, layers: rows, requirements }, null, 2));
    return 0;
  }
  const status = (r: PathRow) => {
    if (!r.exists) return "missing";
    if (r.disabledReason) return `ignored: ${r.disabledReason}`;
    return r.problems > 0 ? `read, ${plural(r.problems, "problem")}` : "read";
  };
  const table: string[][] = rows.map((r) => [r.kind, r.file, status(r)]);
  if (flagCount > 0) {
    // Session flags sit between project layers and managed config in precedence.
    table.splice(table.length - 1, 0, ["flags", "-c/--enable/--disable", "read"]);
  }
  const width = Math.max(
    ...[...table, ["requirements", requirements.file]].map((r) => r[1]!.length),
  );
  const line = (r: string[]) => `  ${r[0]!.padEnd(12)}  ${r[1]!.padEnd(width)}  ${r[2]}`;
  printOut(
    [
      `Configuration layers, lowest precedence first (cwd ${cwd}, project root ${root}):`,
      ...table.map(line),
      "Constraints (not a layer):",
      line(["requirements", requirements.file, status(requirements)]),
    ].join("\n"),
  );
  return 0;
}

/**
 * The nearest folder at or above `cwd` holding a root marker (default `.git`); `cwd` itself
 * when none does or the markers are `[]`. Mirrors how the loader picks project layers, so
 * `path` can list folders where a project config could go even before one exists.
 */
function projectRoot(cwd: string, markersValue: unknown): string {
  const markers = Array.isArray(markersValue) && markersValue.every((m) => typeof m === "string")
    ? markersValue as string[]
    : [".git"];
  if (markers.length === 0) return cwd;
  for (let dir = cwd;; dir = dirname(dir)) {
    if (markers.some((m) => exists(join(dir, m)))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/** `.codex` folders from the project root down to `cwd`. */
function projectFolders(root: string, cwd: string): string[] {
  const dirs: string[] = [];
  for (let dir = cwd;; dir = dirname(dir)) {
    dirs.unshift(join(dir, ".codex"));
    if (dir === root || dirname(dir) === dir) break;
  }
  return dirs;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
