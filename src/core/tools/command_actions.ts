/**
 * Describes what a shell command does (read a file, list files, search) so clients can show
 * `commandExecution.commandActions` nicely. Only scripts understood end to end are broken
 * into actions; anything else is one `unknown` action carrying the whole command.
 *
 * @module
 */

import type { CommandAction } from "../../protocol/schema/items.ts";
import {
  commandName,
  flagSet,
  parseOptions,
  type ScriptSegment,
  shellJoin,
  shellScriptOf,
  splitScriptSegments,
} from "./shell_words.ts";

/** Options taking a value, per command, so their values are not mistaken for files. */
const VALUE_FLAGS: Record<string, ReadonlySet<string>> = {
  head: flagSet("-n --lines -c --bytes"),
  tail: flagSet("-n --lines -c --bytes -s --sleep-interval --pid"),
  wc: flagSet(""),
  sort: flagSet(
    "-k --key -t --field-separator -o --output -S --buffer-size -T --temporary-directory",
  ),
  uniq: flagSet("-f --skip-fields -s --skip-chars -w --check-chars"),
  nl: flagSet("-b -d -f -h -i -l -n -s -v -w"),
  cut: flagSet("-b -c -d -f --bytes --characters --delimiter --fields --output-delimiter"),
  cat: flagSet(""),
  bat: flagSet(
    "-l --language -H --highlight-line -r --line-range --style --theme --tabs --wrap " +
      "--terminal-width -m --map-syntax --paging --pager --color --file-name --diff-context",
  ),
  less: flagSet("-b -h -j -k -o -O -p -P -t -T -x -y -z -#"),
  more: flagSet("-n"),
  ls: flagSet("-I --ignore -w --width -T --tabsize --hide --sort --format --time"),
  tree: flagSet("-L -I -P -o --filelimit --charset --sort -H -T"),
  fd: flagSet(
    "-e --extension -t --type -E --exclude -d --max-depth --min-depth --exact-depth " +
      "-S --size --changed-within --changed-before -o --owner -c --color -j --threads " +
      "--base-directory --search-path --max-results --ignore-file",
  ),
  rg: flagSet(
    "-e --regexp -f --file -g --glob --iglob -t --type -T --type-not -C --context " +
      "-A --after-context -B --before-context -m --max-count -M --max-columns -j --threads " +
      "-d --max-depth --maxdepth -E --encoding -r --replace --sort --sortr --color --colors " +
      "--type-add --type-clear --pre --pre-glob --path-separator --context-separator " +
      "--field-context-separator --field-match-separator --max-filesize --engine " +
      "--dfa-size-limit --regex-size-limit --ignore-file",
  ),
  grep: flagSet(
    "-e --regexp -f --file -A -B -C --after-context --before-context --context -m " +
      "--max-count -d --directories -D --devices --include --exclude --exclude-dir " +
      "--exclude-from --label --binary-files",
  ),
  ag: flagSet(
    "-A -B -C --after --before --context -m --max-count -G --file-search-regex --ignore " +
      "--ignore-dir --depth -p --path-to-ignore -W --width",
  ),
  ack: flagSet(
    "-A -B -C --after-context --before-context --context -m --max-count --type " +
      "--ignore-dir --ignore-file --match -g",
  ),
  "git-grep": flagSet(
    "-e -f -A -B -C --after-context --before-context --context -m --max-count --max-depth",
  ),
};
VALUE_FLAGS.egrep = VALUE_FLAGS.grep!;
VALUE_FLAGS.fgrep = VALUE_FLAGS.grep!;

/** Output filters that, fed by a pipe and given no file, add nothing worth showing. */
const FORMATTERS = new Set(["head", "tail", "wc", "sort", "uniq", "nl", "cut"]);
const READERS = new Set(["cat", "bat", "less", "more", "head", "tail", "nl"]);
const SEARCHERS = new Set(["rg", "grep", "egrep", "fgrep", "ag", "ack"]);

function positionals(name: string, args: string[]): string[] {
  return parseOptions(args, VALUE_FLAGS[name]).positionals;
}

const SED_PRINT = /^(?:\d+|\$)(?:,(?:\d+|\$|\+\d+))?p$/;

/**
 * For `sed -n 'Np'` / `sed -n 'N,Mp' [files]` (the only sed we treat as read-only) returns
 * the files (maybe none: stdin); null for any other sed invocation, e.g. with `-i`.
 */
export function sedPrintFiles(args: string[]): string[] | null {
  const { options, positionals: pos } = parseOptions(args, flagSet("-e --expression"));
  let quiet = false;
  let script: string | null = null;
  for (const o of options) {
    if (o.name === "-n" || o.name === "--quiet" || o.name === "--silent") quiet = true;
    else if ((o.name === "-e" || o.name === "--expression") && script === null) script = o.value;
    else return null;
  }
  const files = script === null ? pos.slice(1) : pos;
  script ??= pos[0] ?? null;
  return quiet && script !== null && SED_PRINT.test(script) ? files : null;
}

const FIND_SIDE_EFFECTS = flagSet(
  "-exec -execdir -ok -okdir -delete -fls -fprint -fprint0 -fprintf",
);

/** Whether a `find` invocation runs programs or writes/deletes files. */
export function findHasSideEffects(args: string[]): boolean {
  return args.some((a) => FIND_SIDE_EFFECTS.has(a));
}

function search(name: string, args: string[], command: string): CommandAction {
  const { options, positionals: pos } = parseOptions(args, VALUE_FLAGS[name]);
  const pattern = options.find((o) => o.name === "-e" || o.name === "--regexp");
  const fromFile = options.some((o) => o.name === "-f" || o.name === "--file");
  const explicit = pattern !== undefined || fromFile;
  const query = pattern?.value ?? (explicit ? null : pos[0] ?? null);
  const paths = explicit ? pos : pos.slice(1);
  return { type: "search", command, query, path: paths[0] ?? null };
}

function listFiles(command: string, paths: string[]): CommandAction[] {
  if (paths.length === 0) return [{ type: "listFiles", command, path: null }];
  return paths.map((path) => ({ type: "listFiles", command, path }));
}

function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1) || path;
}

/** Actions for one simple command; "skip" for noise (`cd`, `true`, piped formatters). */
function classify(seg: ScriptSegment): CommandAction[] | "skip" | null {
  const [first, ...args] = seg.argv;
  if (first === undefined) return "skip";
  const name = commandName(first);
  const command = shellJoin(seg.argv);
  if (name === "cd" || name === "true") return "skip";
  if (seg.piped && FORMATTERS.has(name) && positionals(name, args).length === 0) return "skip";
  if (READERS.has(name) || name === "sed") {
    const files = name === "sed" ? sedPrintFiles(args) : positionals(name, args);
    if (files === null || files.length === 0) return null;
    return files.map((path) => ({ type: "read", command, name: basename(path), path }));
  }
  if (name === "ls" || name === "tree") return listFiles(command, positionals(name, args));
  if (name === "find") {
    if (findHasSideEffects(args)) return null;
    const start = args[0];
    const path = start !== undefined && !/^[-(!]/.test(start) ? start : null;
    return [{ type: "listFiles", command, path }];
  }
  if (name === "fd") {
    if (args.some((a) => /^(?:-x|-X|--exec|--exec-batch)(?:=|$)/.test(a))) return null;
    return [{ type: "listFiles", command, path: positionals(name, args)[1] ?? null }];
  }
  if (name === "rg" && args.includes("--files")) {
    return listFiles(command, positionals(name, args));
  }
  if (SEARCHERS.has(name)) return [search(name, args, command)];
  if (name === "git" && args[0] === "grep") return [search("git-grep", args.slice(1), command)];
  return null;
}

/** What a command does, for clients' display (commandExecution.commandActions). argv is the full argv (usually a shell wrapper). */
export function parseCommandActions(argv: string[]): CommandAction[] {
  if (argv.length === 0) return [];
  const script = shellScriptOf(argv);
  const unknown: CommandAction[] = [{ type: "unknown", command: script ?? shellJoin(argv) }];
  const segments = script === null ? [{ argv, piped: false }] : splitScriptSegments(script);
  if (segments === null) return unknown;
  const actions: CommandAction[] = [];
  for (const seg of segments) {
    const found = classify(seg);
    if (found === null) return unknown;
    if (found !== "skip") actions.push(...found);
  }
  return actions.length > 0 ? actions : unknown;
}
