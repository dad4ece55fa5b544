/**
 * `codex app-server generate-json-schema|generate-ts --out DIR [--experimental]`: writes the
 * protocol's JSON Schema or TypeScript types, both derived from our zod schemas.
 *
 * @module
 */

import { writeJsonSchema } from "../protocol/export/json_schema.ts";
import { writeTypeScript } from "../protocol/export/typescript.ts";
import { parseStrict } from "./args.ts";
import { printOut, reportError, UsageError } from "./output.ts";

const OPTIONS = {
  out: { type: "string", short: "o" },
  experimental: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs one generator; resolves with the exit code. */
export async function runGenerateCommand(
  which: "generate-json-schema" | "generate-ts",
  args: string[],
): Promise<number> {
  const usage = `codex app-server ${which} --out <DIR> [--experimental]`;
  const what = which === "generate-ts" ? "TypeScript types" : "JSON Schema";
  try {
    const { values, positionals } = parseStrict(args, OPTIONS, usage);
    if (values.help) {
      printOut(`Write the ${what} of the app-server protocol to a directory

Usage: ${usage}

Options:
  -o, --out <DIR>    Output directory (created if missing; existing files are overwritten)
      --experimental Include experimental methods and fields
  -h, --help         Print this help`);
      return 0;
    }
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument '${positionals[0]}' found`, usage);
    }
    if (!values.out) {
      throw new UsageError(
        "the following required arguments were not provided: --out <DIR>",
        usage,
      );
    }
    const opts = { experimental: values.experimental ?? false };
    const count = which === "generate-ts"
      ? await writeTypeScript(values.out, opts)
      : await writeJsonSchema(values.out, opts);
    printOut(`wrote ${count} files to ${values.out}`);
    return 0;
  } catch (err) {
    return reportError(err, `codex app-server ${which} --help`);
  }
}
