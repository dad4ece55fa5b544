/**
 * Allow- and deny-lists of shell commands for the approval policies: which commands only
 * read (run without asking under `untrusted`) and which are clearly destructive (warn even
 * when trusting). Both look at every simple command of a wrapped script.
 *
 * @module
 */

import { findHasSideEffects, sedPrintFiles } from "./command_actions.ts";
import {
  commandName,
  commandSegments,
  flagSet,
  hasShortFlag,
  parseOptions,
  shellScriptOf,
  splitScriptLoose,
} from "./shell_words.ts";

/** Read-only whatever their arguments. */
const ALWAYS_SAFE = new Set([
  "ls",
  "cat",
  "pwd",
  "echo",
  "head",
  "tail",
  "wc",
  "grep",
  "which",
  "whoami",
  "true",
  "false",
  "nl",
  "cd",
  "uname",
  "id",
  "stat",
  "du",
  "df",
]);

const GIT_READ = new Set(["status", "log", "diff", "show"]);
/** `git branch` options that only list; anything else (or a bare name) changes branches. */
const BRANCH_LIST = flagSet(
  "-a --all -r --remotes -l --list -v -vv --verbose --show-current --no-color --color " +
    "--column --no-column -i --ignore-case --omit-empty",
);
const BRANCH_LIST_VALUE = flagSet(
  "--contains --no-contains --merged --no-merged --points-at --sort --format --color --abbrev",
);

function isSafeGit(args: string[]): boolean {
  const [sub, ...rest] = args;
  // Global options (-c, -C, --exec-path...) can change what git runs: not known safe.
  if (sub === undefined) return false;
  if (GIT_READ.has(sub)) {
    return !rest.some((a) => /^--(?:output|ext-diff|exec)/.test(a));
  }
  if (sub !== "branch") return false;
  const { options, positionals } = parseOptions(rest, BRANCH_LIST_VALUE);
  const listing = options.some((o) => o.name === "-l" || o.name === "--list");
  const optionsOk = options.every((o) => BRANCH_LIST.has(o.name) || BRANCH_LIST_VALUE.has(o.name));
  return optionsOk && (positionals.length === 0 || listing);
}

function isSafeSegment(argv: string[]): boolean {
  const [first, ...args] = argv;
  if (first === undefined) return false;
  const name = commandName(first);
  if (ALWAYS_SAFE.has(name)) return true;
  switch (name) {
    case "rg":
      return !args.some((a) =>
        /^--(?:pre|hostname-bin|search-zip)(?:=|$)/.test(a) || /^-[A-Za-z]*z/.test(a)
      );
    case "sed":
      return sedPrintFiles(args) !== null;
    case "find":
      return !findHasSideEffects(args);
    case "git":
      return isSafeGit(args);
    case "date": {
      // `date -s`/`--set` and `date MMDDhhmm` set the clock.
      const { options, positionals } = parseOptions(
        args,
        flagSet("-d --date -r --reference -f --file"),
      );
      return !hasShortFlag(options, "s") && !options.some((o) => o.name === "--set") &&
        positionals.every((p) => p.startsWith("+"));
    }
    case "file":
      // `file -C` compiles a magic file, i.e. writes one.
      return !args.some((a) => a === "--compile" || /^-[A-Za-z]*C/.test(a));
    case "tree":
      // `tree -o FILE` writes its output to a file.
      return !args.some((a) => a.startsWith("-o"));
    default:
      return false;
  }
}

/** Commands that only read, which the `untrusted` approval policy runs without asking: every segment of the script (same splitting as above; no redirection to files, no subshells) must be one of: ls, cat, pwd, echo, head, tail, wc, grep, rg (without --pre or --search-zip... keep it safe: reject rg with --pre/--hostname-bin), which, whoami, true, false, nl, sed only with -n and a 'Np'/'N,Mp' script and no -i, find without -exec/-execdir/-ok/-delete/-fprint*, git with subcommand status|log|diff|show|branch (branch only without -d/-D/-m/--delete etc.), cd, date, uname, id, stat, file, tree, du, df. */
export function isKnownSafeCommand(argv: string[]): boolean {
  const segments = commandSegments(argv);
  return segments !== null && segments.length > 0 &&
    segments.every((s) => isSafeSegment(s.argv));
}

/** Prefixes that run the rest of the line as a command; their options are skipped. */
const WRAPPERS = new Set(["sudo", "doas", "nohup", "time", "command", "exec", "env", "nice"]);
const WRAPPER_VALUES = flagSet("-u -g -h -p -C -U -r -t -n --user --group");

/** Strips `sudo -u x`, `env A=b`, leading assignments and the like. */
function unwrap(argv: string[]): string[] {
  let i = 0;
  while (i < argv.length) {
    const word = argv[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) i++;
    else if (WRAPPERS.has(commandName(word))) {
      i++;
      while (i < argv.length && argv[i]!.startsWith("-")) {
        i += WRAPPER_VALUES.has(argv[i]!) ? 2 : 1;
      }
    } else break;
  }
  return argv.slice(i);
}

const RM_TARGETS = new Set([
  "/",
  "/*",
  "~",
  "~/*",
  "*",
  ".",
  "..",
  ".*",
  "./*",
  "../*",
  "$HOME",
  "${HOME}",
  "$HOME/*",
  "${HOME}/*",
]);

function isDangerousRm(args: string[]): boolean {
  const { options, positionals } = parseOptions(args);
  if (options.some((o) => o.name === "--no-preserve-root")) return true;
  const forceful = hasShortFlag(options, "r") || hasShortFlag(options, "R") ||
    hasShortFlag(options, "f") ||
    options.some((o) => o.name === "--recursive" || o.name === "--force");
  return forceful &&
    positionals.some((p) => RM_TARGETS.has(p.length > 1 ? p.replace(/\/+$/, "") || "/" : p));
}

const GIT_GLOBAL_VALUES = flagSet("-C -c --git-dir --work-tree --namespace");

function isDangerousGit(args: string[]): boolean {
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) {
    i += GIT_GLOBAL_VALUES.has(args[i]!) ? 2 : 1;
  }
  const sub = args[i];
  const rest = args.slice(i + 1);
  if (sub === "reset") return rest.includes("--hard");
  if (sub === "clean") {
    const { options } = parseOptions(rest);
    return hasShortFlag(options, "f") || options.some((o) => o.name === "--force");
  }
  return false;
}

function isDangerousSegment(raw: string[], depth: number): boolean {
  const argv = unwrap(raw);
  const [first, ...args] = argv;
  if (first === undefined) return false;
  const script = shellScriptOf(argv);
  if (script !== null) {
    return depth < 4 && splitScriptLoose(script).some((s) => isDangerousSegment(s, depth + 1));
  }
  const name = commandName(first);
  switch (name) {
    case "rm":
      return isDangerousRm(args);
    case "git":
      return isDangerousGit(args);
    case "dd":
      return args.some((a) => a.startsWith("of=/dev/"));
    case "shutdown":
    case "reboot":
    case "halt":
    case "poweroff":
      return true;
    case "systemctl":
      return args.some((a) => ["reboot", "poweroff", "halt"].includes(a));
    default:
      return name === "mkfs" || name.startsWith("mkfs.");
  }
}

/** Clearly destructive commands for which even a trusting policy may want to warn: rm with -r/-f on / or ~ or *, `git reset --hard`, `git clean -f…`, mkfs, dd of=/dev/..., shutdown/reboot. */
export function isDangerousCommand(argv: string[]): boolean {
  const script = shellScriptOf(argv);
  const segments = script === null ? [argv] : splitScriptLoose(script);
  return segments.some((s) => isDangerousSegment(s, 0));
}
