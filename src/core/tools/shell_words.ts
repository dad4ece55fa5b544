/**
 * Shell word handling for the agent's shell tools: splitting, quoting, and splitting a script
 * into simple commands. No expansion is ever done; constructs we cannot reason about
 * (redirections, substitutions, grouping, background jobs) make the strict splitter give up,
 * so callers that classify commands fall back to "unknown" / "not safe".
 *
 * @module
 */

/** One simple command of a script; `piped` says its stdin comes from the previous one (`|`). */
export type ScriptSegment = { argv: string[]; piped: boolean };

type Op = "&&" | "||" | ";" | "|" | "\n";
type Token = { kind: "word"; value: string } | { kind: "op"; value: Op };

/** Thrown inside the scanner for constructs the strict mode does not parse. */
class Unsupported extends Error {}

/**
 * Scans `text` into words (and, with `ops`, control operators). In lenient mode unsupported
 * constructs become `;` separators and an unbalanced quote runs to the end of the text.
 */
function scan(text: string, ops: boolean, lenient: boolean): Token[] | null {
  const tokens: Token[] = [];
  let word = "";
  let started = false;
  const endWord = () => {
    if (started) tokens.push({ kind: "word", value: word });
    word = "";
    started = false;
  };
  const pushOp = (value: Op) => {
    endWord();
    tokens.push({ kind: "op", value });
  };
  const unsupported = () => {
    if (!lenient) throw new Unsupported();
    pushOp(";");
  };
  const n = text.length;
  let i = 0;
  try {
    while (i < n) {
      const c = text[i]!;
      const next = text[i + 1];
      if (c === " " || c === "\t" || c === "\r" || (c === "\n" && !ops)) {
        endWord();
        i++;
      } else if (c === "\\") {
        if (next === "\n") i += 2;
        else {
          word += next ?? "\\";
          started = true;
          i += 2;
        }
      } else if (c === "'") {
        const close = text.indexOf("'", i + 1);
        if (close < 0) {
          if (!lenient) return null;
          word += text.slice(i + 1);
          started = true;
          i = n;
        } else {
          word += text.slice(i + 1, close);
          started = true;
          i = close + 1;
        }
      } else if (c === '"') {
        started = true;
        i++;
        let closed = false;
        while (i < n) {
          const d = text[i]!;
          const e = text[i + 1];
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === "\\" && e !== undefined && '$`"\\\n'.includes(e)) {
            if (e !== "\n") word += e;
            i += 2;
          } else if (ops && (d === "`" || (d === "$" && e === "("))) {
            if (!lenient) throw new Unsupported();
            word += d;
            i++;
          } else {
            word += d;
            i++;
          }
        }
        if (!closed && !lenient) return null;
      } else if (!ops) {
        word += c;
        started = true;
        i++;
      } else if (c === "$" && next === "{") {
        // Parameter expansion is kept literally (we never expand), braces included.
        const close = text.indexOf("}", i);
        const end = close < 0 ? n : close + 1;
        word += text.slice(i, end);
        started = true;
        i = end;
      } else if (c === "#" && !started) {
        while (i < n && text[i] !== "\n") i++;
      } else if (c === "\n" || c === ";") {
        if (c === ";" && next === ";") unsupported();
        else pushOp(c);
        i++;
      } else if (c === "&") {
        if (next === "&") {
          pushOp("&&");
          i += 2;
        } else {
          unsupported();
          i++;
        }
      } else if (c === "|") {
        if (next === "|") {
          pushOp("||");
          i += 2;
        } else if (next === "&") {
          unsupported();
          i += 2;
        } else {
          pushOp("|");
          i++;
        }
      } else if ("<>()`{}".includes(c) || (c === "$" && next === "(")) {
        unsupported();
        i++;
      } else {
        word += c;
        started = true;
        i++;
      }
    }
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  endWord();
  return tokens;
}

/** Groups tokens into simple commands; null on empty operands of `&&`, `||`, `|`, `;`. */
function group(tokens: Token[], lenient: boolean): ScriptSegment[] | null {
  const segments: ScriptSegment[] = [];
  let argv: string[] = [];
  let piped = false;
  let pendingBinary = false;
  for (const t of tokens) {
    if (t.kind === "word") {
      argv.push(t.value);
      pendingBinary = false;
      continue;
    }
    if (argv.length === 0) {
      // Blank lines, and a newline after `&&`/`||`/`|` (which continues the command), are fine.
      if (t.value === "\n" || lenient) continue;
      return null;
    }
    segments.push({ argv, piped });
    argv = [];
    piped = t.value === "|";
    pendingBinary = t.value === "&&" || t.value === "||" || t.value === "|";
  }
  if (argv.length > 0) segments.push({ argv, piped });
  else if (pendingBinary && !lenient) return null;
  return segments;
}

/** POSIX-shell-like word splitting of a command line: quotes ('..', "..", backslash escapes), no expansion. Returns null when quotes are unbalanced. */
export function shellSplit(line: string): string[] | null {
  const tokens = scan(line, false, false);
  if (tokens === null) return null;
  return tokens.flatMap((t) => t.kind === "word" ? [t.value] : []);
}

const SAFE_WORD = /^[A-Za-z0-9@%+=:,./_-]+$/;

/** Quotes one word only when needed, in the style of Python's shlex.quote: safe chars [A-Za-z0-9@%+=:,./_-] pass through, everything else in single quotes with ' as '"'"'. Empty string → ''. */
export function shellQuote(word: string): string {
  if (word === "") return "''";
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** Joins argv into one command line that shellSplit turns back into the same argv. */
export function shellJoin(argv: string[]): string {
  return argv.map(shellQuote).join(" ");
}

const SHELLS = new Set(["bash", "sh", "zsh", "dash", "ksh"]);
const SCRIPT_FLAGS = new Set(["-c", "-lc", "-cl"]);

/** For argv like ["/bin/bash","-lc",script] or ["bash","-c",script] or ["zsh","-lc",...], ["sh","-c",...]: returns the script, else null. */
export function shellScriptOf(argv: string[]): string | null {
  if (argv.length !== 3) return null;
  const [shell, flag, script] = argv as [string, string, string];
  const name = shell.slice(shell.lastIndexOf("/") + 1);
  return SHELLS.has(name) && SCRIPT_FLAGS.has(flag) ? script : null;
}

/**
 * Splits a script at top-level `&&`, `||`, `;`, `|` and newlines into simple commands with
 * their pipe relation. Null when the script uses constructs we do not parse: redirections,
 * `$(`, backticks, `<(`, here-docs, `&` background, parentheses/braces, unbalanced quotes.
 */
export function splitScriptSegments(script: string): ScriptSegment[] | null {
  const tokens = scan(script, true, false);
  return tokens === null ? null : group(tokens, false);
}

/** Each simple command's argv (see splitScriptSegments); null for scripts we do not parse. */
export function splitScript(script: string): string[][] | null {
  return splitScriptSegments(script)?.map((s) => s.argv) ?? null;
}

/**
 * Best-effort split that never fails: unsupported constructs act as separators. Only for
 * spotting dangerous commands, where giving up on odd syntax would hide them.
 */
export function splitScriptLoose(script: string): string[][] {
  return group(scan(script, true, true) ?? [], true)?.map((s) => s.argv) ?? [];
}

/** The simple commands of a full argv: the wrapped script's, or the argv itself. */
export function commandSegments(argv: string[]): ScriptSegment[] | null {
  if (argv.length === 0) return [];
  const script = shellScriptOf(argv);
  return script === null ? [{ argv, piped: false }] : splitScriptSegments(script);
}

const SYSTEM_BIN = /^\/(?:usr\/(?:local\/)?)?s?bin\/([^/]+)$/;

/** Program name for matching: `/usr/bin/cat` → `cat`; other paths stay as they are. */
export function commandName(word: string): string {
  return SYSTEM_BIN.exec(word)?.[1] ?? word;
}

/** One parsed option: `-n`, `-rf` (short clusters are not split), `--name` with its value. */
export type ParsedOption = { name: string; value: string | null };

/**
 * getopt-like parse of a command's arguments. Options listed in `valueFlags` take the next
 * argument as value; `--name=value` carries its own; `--` ends options; `-` is positional.
 */
export function parseOptions(
  args: string[],
  valueFlags: ReadonlySet<string> = new Set(),
): { options: ParsedOption[]; positionals: string[] } {
  const options: ParsedOption[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a === "-" || !a.startsWith("-")) {
      positionals.push(a);
    } else if (a.startsWith("--") && a.includes("=")) {
      const eq = a.indexOf("=");
      options.push({ name: a.slice(0, eq), value: a.slice(eq + 1) });
    } else if (valueFlags.has(a)) {
      options.push({ name: a, value: args[i + 1] ?? null });
      i++;
    } else {
      options.push({ name: a, value: null });
    }
  }
  return { options, positionals };
}

/** Whether a short option cluster (`-rf`) contains `letter`; long options never match. */
export function hasShortFlag(options: ParsedOption[], letter: string): boolean {
  return options.some((o) =>
    !o.name.startsWith("--") && o.value === null && o.name.slice(1).includes(letter)
  );
}

/** Space-separated flag list → set, to keep per-command tables short. */
export function flagSet(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((s) => s !== ""));
}
