/**
 * Aggregated diff of everything a turn changed: the content each file had before the turn
 * first touched it, compared with what is on disk now, rendered like `git diff`.
 *
 * @module
 */

import { isAbsolute, relative } from "node:path";
import { unifiedDiff } from "./unified_diff.ts";

function readSyncOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

/** Collects per-file baselines during a turn and renders the turn's combined diff. */
export class TurnDiffTracker {
  /** Content at the turn's start (null = did not exist), keyed by absolute path. */
  private readonly baselines = new Map<string, string | null>();
  /** Current path of a moved file -> the path it had at the turn's start. */
  private readonly origins = new Map<string, string>();

  /** `root`: absolute directory that diff paths are shown relative to (usually the cwd). */
  constructor(private readonly root: string) {}

  /** Remembers `path`'s content before the turn first changed it; later calls are ignored. */
  noteBaseline(path: string, content: string | null): void {
    if (!this.baselines.has(path)) this.baselines.set(path, content);
  }

  /**
   * Records that `from` is being renamed to `to` (call before the move happens), so the diff
   * shows a rename instead of a delete plus a new file.
   */
  noteMove(from: string, to: string): void {
    if (from === to) return;
    if (!this.baselines.has(from)) this.baselines.set(from, readSyncOrNull(from));
    if (!this.baselines.has(to)) this.baselines.set(to, readSyncOrNull(to));
    const origin = this.origins.get(from) ?? from;
    this.origins.delete(from);
    // Only a move onto a path that did not exist at the turn's start is shown as a rename.
    if (origin !== to && this.baselines.get(to) === null) this.origins.set(to, origin);
  }

  private display(path: string): string {
    const rel = relative(this.root, path);
    if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) {
      return path.replace(/^\/+/, "");
    }
    return rel;
  }

  /** The combined git-style diff of all tracked files, or null when nothing differs. */
  async diff(): Promise<string | null> {
    const renamedFrom = new Set(this.origins.values());
    const entries: { oldPath: string; newPath: string; old: string | null; now: string | null }[] =
      [];
    for (const [path, baseline] of this.baselines) {
      const now = await readOrNull(path);
      const origin = this.origins.get(path);
      if (origin !== undefined) {
        const old = this.baselines.get(origin) ?? null;
        if (old === null) entries.push({ oldPath: path, newPath: path, old: null, now });
        else if (now === null) entries.push({ oldPath: origin, newPath: origin, old, now: null });
        else entries.push({ oldPath: origin, newPath: path, old, now });
      } else {
        // A rename source's baseline belongs to the rename; anything there now is new.
        const old = renamedFrom.has(path) ? null : baseline;
        entries.push({ oldPath: path, newPath: path, old, now });
      }
    }
    const rendered = entries
      .map((e) => ({ key: this.display(e.newPath), text: this.render(e) }))
      .filter((e) => e.text !== "")
      .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    return rendered.length === 0 ? null : rendered.map((e) => e.text).join("");
  }

  private render(
    e: { oldPath: string; newPath: string; old: string | null; now: string | null },
  ): string {
    const a = this.display(e.oldPath);
    const b = this.display(e.newPath);
    const renamed = a !== b;
    if (!renamed && e.old === e.now) return "";
    const hunks = unifiedDiff(e.old ?? "", e.now ?? "");
    const head = [`diff --git a/${a} b/${b}\n`];
    if (e.old === null) head.push("new file mode 100644\n");
    else if (e.now === null) head.push("deleted file mode 100644\n");
    if (renamed) head.push(`rename from ${a}\n`, `rename to ${b}\n`);
    if (hunks !== "") {
      head.push(e.old === null ? "--- /dev/null\n" : `--- a/${a}\n`);
      head.push(e.now === null ? "+++ /dev/null\n" : `+++ b/${b}\n`);
    }
    return head.join("") + hunks;
  }
}
