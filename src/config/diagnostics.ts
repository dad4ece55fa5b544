/**
 * Turning config problems into what people and clients see: a located problem, the
 * `<file>:<line>:<col>: <message>` line the reference prints, and a rendering with the source
 * line and carets under the offending token.
 *
 * @module
 */

import type { ConfigProblem, TextRange } from "./types.ts";
import { findNode, scanCached, spanToRange } from "./toml_spans.ts";

const START: TextRange = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

/** Fills file and range of a problem found in `text`; keeps a range it already has. */
export function locateProblem(problem: ConfigProblem, file: string, text: string): ConfigProblem {
  if (problem.range) return { ...problem, file };
  const range = problem.kind === "unknownKey"
    ? locateKey(problem.keyPath, text)
    : locate(problem.keyPath, text);
  return { ...problem, file, range: range ?? START };
}

/** An unknown key is shown at the key itself, not at its value. */
function locateKey(keyPath: string | null, text: string): TextRange | null {
  if (keyPath === null) return null;
  const node = findNode(scanCached(text), keyPath);
  const token = node?.kind === "value"
    ? node.keys?.[node.path.length - 1 - (node.base ?? 0)]
    : undefined;
  return token ? spanToRange(text, token.start, token.end) : locate(keyPath, text);
}

function locate(keyPath: string | null, text: string): TextRange | null {
  if (keyPath === null) return null;
  const nodes = scanCached(text);
  // Feature-map errors name the whole table; point at the first entry that is not a bool.
  if (keyPath === "features") {
    const entry = nodes.find((n) =>
      n.kind === "value" && n.path.length === 2 && n.path[0] === "features" &&
      !/^(true|false)$/.test(text.slice(n.start, n.end))
    );
    if (entry) return spanToRange(text, entry.start, entry.end);
  }
  const node = findNode(nodes, keyPath);
  return node ? spanToRange(text, node.start, node.end) : null;
}

/** `<file>:<line>:<col>: <message>`, or just the message without a file and range. */
export function formatProblem(problem: ConfigProblem): string {
  if (problem.file === null || problem.range === null) return problem.message;
  const { line, column } = problem.range.start;
  return `${problem.file}:${line}:${column}: ${problem.message}`;
}

const RED = "\x1b[31m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

/** The problem with its source line and carets under the whole token (rustc-like). */
export function renderProblem(
  problem: ConfigProblem,
  text: string | null,
  opts: { color?: boolean } = {},
): string {
  const head = opts.color ? `${BOLD}${formatProblem(problem)}${RESET}` : formatProblem(problem);
  const range = problem.range;
  if (text === null || range === null) return head;
  const lines = text.split("\n");
  const src = (lines[range.start.line - 1] ?? "").replace(/\r$/, "");
  const chars = [...src];
  const startCol = range.start.column;
  const count = range.end.line === range.start.line
    ? range.end.column - startCol + 1
    : chars.length - startCol + 1;
  // Keep tabs so the carets line up under tab-indented source.
  const pad = chars.slice(0, startCol - 1).map((c) => c === "\t" ? "\t" : " ").join("")
    .padEnd(startCol - 1, " ");
  const carets = "^".repeat(Math.max(1, count));
  const num = String(range.start.line);
  const gutter = " ".repeat(num.length);
  return [
    head,
    `${gutter} |`,
    `${num} | ${src}`.trimEnd(),
    `${gutter} | ${pad}${opts.color ? `${RED}${carets}${RESET}` : carets}`,
  ].join("\n");
}
