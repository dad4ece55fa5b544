/**
 * Terminal output for CLI commands (not for the server's protocol stream): help and results
 * to stdout, errors to stderr, and the exit codes users and scripts rely on.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Writes text to stdout, looping on partial writes. */
export function printOut(text: string): void {
  writeAll(Deno.stdout, text.endsWith("\n") ? text : text + "\n");
}

/** Writes text to stderr. */
export function printErr(text: string): void {
  writeAll(Deno.stderr, text.endsWith("\n") ? text : text + "\n");
}

/** A bad command line: one-line reason, a hint, exit code 2. */
export class UsageError extends Error {
  readonly usage: string | null;
  constructor(message: string, usage: string | null = null) {
    super(message);
    this.name = "UsageError";
    this.usage = usage;
  }
}

/** A failure after the arguments were understood: exit code 1. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}

/** Prints an error the way every subcommand does, and returns its exit code. */
export function reportError(err: unknown, helpHint: string): number {
  if (err instanceof UsageError) {
    const usage = err.usage ? `\n\nUsage: ${err.usage}` : "";
    printErr(`error: ${err.message}${usage}\n\nFor more information, try '${helpHint}'.`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  printErr(`error: ${message}`);
  return 1;
}

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}
