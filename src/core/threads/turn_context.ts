/**
 * The context messages a model sees besides the conversation: developer instructions, the
 * project's AGENTS.md files, and the environment (cwd, shell, approval policy, sandbox).
 *
 * They are sent once at the first turn and again only when their text changes (a turn that
 * overrides the cwd or the sandbox gets a fresh environment message), so the prompt prefix
 * stays stable and provider-side caching keeps working across turns.
 *
 * @module
 */

import { join, relative, resolve, sep } from "node:path";
import { findProjectRoot } from "../../config/layers.ts";
import type { RawItem } from "../model/events.ts";
import type { ThreadSettings } from "./thread.ts";

/** The reference's default cap on project instructions, in bytes. */
export const DEFAULT_PROJECT_DOC_MAX_BYTES = 32 * 1024;

/** File names looked for in each folder, in order; the first that exists is used. */
const DOC_NAMES = ["AGENTS.override.md", "AGENTS.md"];

/** Marks the start of a project-instructions message, as Codex writes it (interop). */
export const PROJECT_DOC_PREFIX = "# AGENTS.md instructions for ";
const ENV_OPEN = "<environment_context>";
/** Context openings Codex writes besides ours (its rollouts can be resumed here). */
const CODEX_CONTEXT_OPENINGS = ["<user_instructions>", "<permissions instructions>"];

/** What decides the project instructions of a turn. */
export interface ProjectDocOptions {
  cwd: string;
  codexHome: string;
  rootMarkers: readonly string[];
  maxBytes?: number;
  /** Extra names tried after the defaults (`project_doc_fallback_filenames`). */
  fallbackNames?: readonly string[];
}

async function readIfFile(path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return null;
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

/**
 * The instructions from `CODEX_HOME/AGENTS.md` and from one AGENTS file per folder on the way
 * from the project root down to `cwd`, outermost first, so the nearest file has the last word.
 * The total is cut at `maxBytes` (0 turns project files off); null when nothing was found.
 */
export async function loadProjectDocs(opts: ProjectDocOptions): Promise<string | null> {
  const maxBytes = opts.maxBytes ?? DEFAULT_PROJECT_DOC_MAX_BYTES;
  const names = [...DOC_NAMES, ...opts.fallbackNames ?? []];
  const parts: string[] = [];
  for (const name of DOC_NAMES) {
    const global = await readIfFile(join(opts.codexHome, name));
    if (global !== null && global.trim() !== "") {
      parts.push(global.trim());
      break;
    }
  }
  if (maxBytes > 0) {
    const cwd = resolve(opts.cwd);
    const root = await findProjectRoot(cwd, opts.rootMarkers);
    const rel = relative(root, cwd);
    const dirs = [root];
    if (rel && !rel.startsWith("..")) {
      let dir = root;
      for (const segment of rel.split(sep)) dirs.push(dir = join(dir, segment));
    }
    let budget = maxBytes;
    for (const dir of dirs) {
      if (budget <= 0) break;
      for (const name of names) {
        const text = await readIfFile(join(dir, name));
        if (text === null) continue;
        const bytes = new TextEncoder().encode(text.trim());
        const kept = bytes.length > budget
          ? new TextDecoder().decode(bytes.subarray(0, budget)).replace(/\uFFFD$/, "")
          : text.trim();
        budget -= Math.min(bytes.length, budget);
        if (kept !== "") parts.push(kept);
        break;
      }
    }
  }
  return parts.length > 0 ? parts.join("\n\n--- next file ---\n\n") : null;
}

/** The environment message: where the agent works and what it may do there. */
export function environmentContext(s: ThreadSettings): string {
  const approval = typeof s.approvalPolicy === "string" ? s.approvalPolicy : "reject";
  const lines = [
    ENV_OPEN,
    `  <cwd>${s.cwd}</cwd>`,
    `  <approval_policy>${approval}</approval_policy>`,
    `  <sandbox_mode>${s.sandboxMode}</sandbox_mode>`,
  ];
  const policy = s.sandboxPolicy as { networkAccess?: unknown; writableRoots?: unknown };
  if (s.sandboxMode === "workspace-write") {
    lines.push(
      `  <network_access>${policy.networkAccess ? "enabled" : "restricted"}</network_access>`,
    );
    const roots = Array.isArray(policy.writableRoots) ? policy.writableRoots : [];
    if (roots.length > 0) {
      lines.push("  <writable_roots>");
      for (const root of roots) lines.push(`    <root>${String(root)}</root>`);
      lines.push("  </writable_roots>");
    }
  }
  lines.push(`  <shell>${s.shell}</shell>`, "</environment_context>");
  return lines.join("\n");
}

/** The project-instructions message for `cwd`. */
export function projectDocMessage(cwd: string, docs: string): string {
  return `${PROJECT_DOC_PREFIX}${cwd}\n\n<INSTRUCTIONS>\n${docs}\n</INSTRUCTIONS>`;
}

/** A message item with one text part. */
export function textMessage(role: "user" | "developer", text: string): RawItem {
  return { type: "message", role, content: [{ type: "input_text", text }] };
}

/**
 * Whether a history item is context we inserted rather than something the user said; turn
 * counting (rollback) and compaction must skip these.
 */
export function isContextMessage(item: RawItem): boolean {
  if (item.type !== "message") return false;
  if (item.role === "developer" || item.role === "system") return true;
  if (item.role !== "user" || !Array.isArray(item.content)) return false;
  const first = (item.content as Array<{ text?: unknown }>)[0]?.text;
  if (typeof first !== "string") return false;
  const text = first.trimStart();
  return [ENV_OPEN, PROJECT_DOC_PREFIX, ...CODEX_CONTEXT_OPENINGS].some((o) => text.startsWith(o));
}

/** The context last sent to the model, per kind, so only changes are sent again. */
export interface SentContext {
  developer: string | null;
  projectDocs: string | null;
  environment: string | null;
}

/** Nothing sent yet. */
export function emptySentContext(): SentContext {
  return { developer: null, projectDocs: null, environment: null };
}

/**
 * The context items this turn must add, updating `sent`. Developer instructions and project
 * docs are sent when they first appear or change; the environment likewise.
 */
export function contextUpdate(
  s: ThreadSettings,
  projectDocs: string | null,
  sent: SentContext,
): RawItem[] {
  const items: RawItem[] = [];
  const developer = s.developerInstructions?.trim() || null;
  if (developer !== null && developer !== sent.developer) {
    items.push(textMessage("developer", developer));
  }
  sent.developer = developer ?? sent.developer;
  const docs = projectDocs === null ? null : projectDocMessage(s.cwd, projectDocs);
  if (docs !== null && docs !== sent.projectDocs) items.push(textMessage("user", docs));
  sent.projectDocs = docs ?? sent.projectDocs;
  const env = environmentContext(s);
  if (env !== sent.environment) items.push(textMessage("user", env));
  sent.environment = env;
  return items;
}

/** The single-line `<key>value</key>` fields of an environment context. */
function envFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const m of text.matchAll(/^ {2}<(\w+)>([^<]*)<\/\1>$/gm)) fields.set(m[1]!, m[2]!);
  return fields;
}

/**
 * What a stored history already told the model, so a resumed thread does not repeat context
 * that has not changed. Codex writes a shorter environment context (cwd and shell; the
 * permissions go in a developer message): when every field it has matches the thread's
 * settings, ours counts as sent.
 */
export function sentContextFrom(
  history: readonly RawItem[],
  settings?: ThreadSettings,
): SentContext {
  const sent = emptySentContext();
  for (const item of history) {
    if (!isContextMessage(item)) continue;
    const text = (item.content as Array<{ text?: unknown }>)[0]?.text;
    if (typeof text !== "string") continue;
    if (item.role === "developer") sent.developer = text;
    else if (text.startsWith(ENV_OPEN)) sent.environment = text;
    else if (text.startsWith(PROJECT_DOC_PREFIX)) sent.projectDocs = text;
  }
  if (settings && sent.environment !== null) {
    const ours = environmentContext(settings);
    const mine = envFields(ours);
    const stored = envFields(sent.environment);
    if (stored.size > 0 && [...stored].every(([k, v]) => mine.get(k) === v)) {
      sent.environment = ours;
    }
  }
  return sent;
}
