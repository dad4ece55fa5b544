/**
 * `node:util` parseArgs with errors reworded into one line a user can act on, in the style
 * of the reference CLI (`unexpected argument '--x' found`).
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./output.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses `args` strictly; throws {@linkcode UsageError} with `usage` on any problem. */
export function parseStrict<T extends Options>(
  args: string[],
  options: T,
  usage: string,
): {
  values: ReturnType<
    typeof parseArgs<{ options: T; allowPositionals: true; strict: true; args: string[] }>
  >["values"];
  positionals: string[];
} {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError(reword(err, options), usage);
  }
}

function reword(err: unknown, options: Options): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unexpected argument '${quoted}' found`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = /--([\w-]+)/.exec(message)?.[1];
      const spec = name ? options[name] : undefined;
      if (spec?.type === "string") {
        return `a value is required for '--${name}' but none was supplied`;
      }
      return name ? `unexpected value for '--${name}'` : message;
    }
    default:
      return message.split("\n")[0] ?? message;
  }
}
