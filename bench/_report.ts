/**
 * Shared reporting for the benchmarks: sample statistics, number formatting, fixed-width tables,
 * stdout printing, and the command-line entry every bench file runs when started on its own.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { CommonOptions } from "./_servers.ts";

/** Nearest-rank percentile of an unsorted sample (`q` in 0..100); NaN when empty. */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Median, for readability at call sites. */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** Minimum; NaN when empty. */
export function minimum(values: ArrayLike<number>): number {
  return values.length === 0 ? NaN : Math.min(...Array.from(values));
}

/** Maximum; NaN when empty. */
export function maximum(values: ArrayLike<number>): number {
  return values.length === 0 ? NaN : Math.max(...Array.from(values));
}

/** Formats a number for a table, showing "n/a" for NaN/undefined. */
export function fmt(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(digits);
}

/** Renders rows as a fixed-width text table (first row is the header). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, cell.length));
  }
  // Numbers right-aligned, text left-aligned.
  const numeric = (c: string) => /^(-?[\d.]+%?|n\/a|-)$/.test(c);
  const line = (row: string[]) =>
    row.map((c, i) => (numeric(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ")
      .trimEnd();
  const header = rows[0]!.map((c, i) => {
    const right = rows.slice(1).some((r) => r[i] !== undefined && numeric(r[i]!));
    return right ? c.padStart(widths[i]!) : c.padEnd(widths[i]!);
  }).join("  ").trimEnd();
  const out = [header, widths.map((w) => "-".repeat(w)).join("  ")];
  for (const row of rows.slice(1)) out.push(line(row));
  return out.join("\n");
}

/** One table column: its header and how a row fills it, kept together so they cannot drift. */
export type Column<R> = readonly [header: string, cell: (row: R) => string];

/**
 * Prints `rows` as a table of `columns`, after a title: a fixed string, or one made from the first
 * row (printed only when there is a row, since it describes the run's parameters).
 */
export function printTable<R>(
  title: string | ((first: R) => string) | undefined,
  rows: readonly R[],
  columns: readonly Column<R>[],
): void {
  const first = rows[0];
  if (typeof title === "string") print(title);
  else if (title && first !== undefined) print(title(first));
  print(
    table([columns.map(([header]) => header), ...rows.map((r) => columns.map(([, c]) => c(r)))]),
  );
}

/** Prints `  <label>: ERROR <error>` for every result that failed. */
export function printErrors<R extends { name: string; error?: string }>(
  results: readonly R[],
  label: (r: R) => string = (r) => r.name,
): void {
  for (const r of results) if (r.error) print(`  ${label(r)}: ERROR ${r.error}`);
}

/** Short description of an error for a results table. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "");
  return plain.split("\n").map((l) => l.trim()).filter(Boolean).join(" | ").slice(0, 300);
}

/** Prints a line of results to stdout (the project lints `console` away everywhere else). */
export function print(line = ""): void {
  // deno-lint-ignore no-console
  console.log(line);
}

// --- command line ----------------------------------------------------------------------------

/** Flags every bench shares (for `parseArgs`, which rejects unknown flags so typos are caught). */
export const COMMON_FLAGS = {
  "ours-main": { type: "string" },
  "ref-bin": { type: "string" },
  "skip-ours": { type: "boolean" },
  "skip-ref": { type: "boolean" },
  "json": { type: "boolean" },
} as const;

/** Maps parsed `COMMON_FLAGS` values to `CommonOptions`. */
export function commonOptions(values: Record<string, unknown>): CommonOptions {
  return {
    oursMain: values["ours-main"] as string | undefined,
    refBin: values["ref-bin"] as string | undefined,
    skipOurs: values["skip-ours"] === true,
    skipRef: values["skip-ref"] === true,
  };
}

/** Parses `Deno.args` against the common flags plus a bench's own. */
export function parseBenchArgs<T extends ParseArgsOptionsConfig>(flags: T) {
  return parseArgs({ args: Deno.args, options: { ...COMMON_FLAGS, ...flags } });
}

/** The parsed flag values of a bench whose own flags are `T`. */
export type BenchValues<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseBenchArgs<T>
>["values"];

/** A numeric flag's value; undefined when absent, so the bench's default applies. */
export function num(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/**
 * The entry of a bench run on its own: parse the flags, run, print JSON (`--json`) or the
 * tables, then exit, so stray sockets or timers cannot keep a finished bench alive.
 */
export async function runCli<T extends ParseArgsOptionsConfig, R>(
  flags: T,
  run: (values: BenchValues<T>, common: CommonOptions) => Promise<R>,
  show: (results: R, values: BenchValues<T>) => void,
): Promise<never> {
  const { values } = parseBenchArgs(flags);
  const results = await run(values, commonOptions(values));
  if ((values as { json?: boolean }).json) print(JSON.stringify(results));
  else show(results, values);
  await new Promise((resolve) => setTimeout(resolve, 0));
  Deno.exit(0);
}
