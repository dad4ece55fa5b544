/**
 * The `codex` executable: dispatches to a subcommand and exits with its code.
 *
 * @module
 */

import { printOut, reportError, UsageError } from "./src/cli/output.ts";
import { CLI_VERSION } from "./src/core/version.ts";

const HELP = `Codex server: drive a coding agent from other programs

Usage: codex <COMMAND> [ARGS]

Commands:
  app-server   Serve the app-server JSON-RPC protocol over stdio or a websocket
  config       Show, change and check configuration (show, get, set, unset, validate, path)
  help         Print this help

Options:
  -h, --help     Print help (also: codex <COMMAND> --help)
  -V, --version  Print version`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "app-server": {
      // Loaded on demand so `--version` and `--help` stay instant.
      const { runAppServerCommand } = await import("./src/cli/app_server_command.ts");
      return await runAppServerCommand(rest);
    }
    case "config": {
      const { runConfigCommand } = await import("./src/cli/config_command.ts");
      return await runConfigCommand(rest);
    }
    case undefined:
    case "help":
    case "-h":
    case "--help":
      printOut(HELP);
      return command === undefined ? 2 : 0;
    case "-V":
    case "--version":
      printOut(`codex-cli ${CLI_VERSION}`);
      return 0;
    default:
      return reportError(
        new UsageError(
          command.startsWith("-")
            ? `unexpected argument '${command}' found`
            : `unrecognized subcommand '${command}'`,
          "codex <COMMAND> [ARGS]",
        ),
        "codex --help",
      );
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
