/**
 * `codex app-server`: parses the command line, then serves the JSON-RPC protocol over stdio
 * or a websocket listener. Also hosts the schema generators as sub-subcommands.
 *
 * @module
 */

import { killAllProcessGroups } from "../core/exec/process.ts";
import { AppServer } from "../server/app_server.ts";
import type { AppServerOptions } from "../server/context.ts";
import { resolveCodexHome } from "../core/codex_home.ts";
import { ConfigService } from "../config/config_service.ts";
import { ListenUrlError, parseListenUrl } from "../transport/listen_url.ts";
import { serveStdio } from "../transport/stdio.ts";
import { serveWebSocket } from "../transport/websocket.ts";
import {
  createWsAuthenticator,
  parseWsAuthOptions,
  unauthenticatedListenerError,
  WsAuthConfigError,
} from "../transport/ws_auth.ts";
import { configureLogging, flushLogs, getLogger } from "../log/logger.ts";
import { parseStrict } from "./args.ts";
import { CommandError, printErr, printOut, reportError, UsageError } from "./output.ts";
import { runGenerateCommand } from "./generate_command.ts";
import { readTuning } from "./tuning.ts";

const USAGE = "codex app-server [OPTIONS] [COMMAND]";

const HELP = `Run the Codex app server: JSON-RPC for IDEs and other programs that drive the agent

Usage: ${USAGE}

Commands:
  generate-json-schema  Write the JSON Schema of the protocol to a directory
  generate-ts           Write TypeScript types of the protocol to a directory
  help                  Print this help

Options:
      --listen <URL>         Where to serve: stdio:// (default) or ws://IP:PORT (port 0 picks one)
  -c, --config <key=value>   Override a config value (dotted key; value parsed as TOML, else a
                             string). Repeatable, applied in order
      --enable <FEATURE>     Turn a feature on (same as -c features.<FEATURE>=true). Repeatable
      --disable <FEATURE>    Turn a feature off (same as -c features.<FEATURE>=false). Repeatable
      --analytics-default-enabled
                             Make analytics default to on; [analytics] enabled in config.toml
                             still decides
      --strict-config        Refuse to start (exit 1) when the configuration has errors or
                             unknown keys, listing each one
      --ws-auth <MODE>       Require a bearer token on websocket upgrades:
                             capability-token | signed-bearer-token
      --ws-token-file <PATH>             capability-token: file holding the token
      --ws-token-sha256 <HEX>            capability-token: SHA-256 of the token instead
      --ws-shared-secret-file <PATH>     signed-bearer-token: HS256 secret (>= 32 bytes)
      --ws-issuer <ISSUER>               signed-bearer-token: required "iss"
      --ws-audience <AUDIENCE>           signed-bearer-token: required "aud"
      --ws-max-clock-skew-seconds <N>    signed-bearer-token: leeway for exp/nbf (default 30)
  -h, --help                 Print this help

Websocket listeners also answer GET /readyz and GET /healthz, refuse requests that carry an
Origin header, and refuse to bind a non-loopback address without --ws-auth.

Logging goes to stderr: RUST_LOG filters (default: errors only), LOG_FORMAT=json for JSON lines.`;

const OPTIONS = {
  listen: { type: "string" },
  config: { type: "string", short: "c", multiple: true },
  enable: { type: "string", multiple: true },
  disable: { type: "string", multiple: true },
  "analytics-default-enabled": { type: "boolean" },
  "strict-config": { type: "boolean" },
  "ws-auth": { type: "string" },
  "ws-token-file": { type: "string" },
  "ws-token-sha256": { type: "string" },
  "ws-shared-secret-file": { type: "string" },
  "ws-issuer": { type: "string" },
  "ws-audience": { type: "string" },
  "ws-max-clock-skew-seconds": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs `codex app-server ARGS`; resolves with the process exit code. */
export async function runAppServerCommand(args: string[]): Promise<number> {
  const sub = args[0];
  if (sub === "generate-json-schema" || sub === "generate-ts") {
    return await runGenerateCommand(sub, args.slice(1));
  }
  try {
    const { values, positionals } = parseStrict(args, OPTIONS, USAGE);
    if (values.help || positionals[0] === "help") {
      printOut(HELP);
      return 0;
    }
    if (positionals.length > 0) {
      throw new UsageError(`unrecognized subcommand '${positionals[0]}'`, USAGE);
    }
    const listenText = values.listen ?? "stdio://";
    let listen;
    try {
      listen = parseListenUrl(listenText);
    } catch (err) {
      if (!(err instanceof ListenUrlError)) throw err;
      throw new UsageError(`invalid value '${listenText}' for '--listen <URL>': ${err.message}`);
    }
    const options: AppServerOptions = {
      analyticsDefaultEnabled: values["analytics-default-enabled"] ?? false,
      configOverrides: (values.config ?? []).map(checkOverride),
      featureToggles: [
        ...(values.enable ?? []).map((feature) => ({ feature, enabled: true })),
        ...(values.disable ?? []).map((feature) => ({ feature, enabled: false })),
      ],
    };
    const wsAuth = parseWsAuthFlags({
      wsAuth: values["ws-auth"],
      wsTokenFile: values["ws-token-file"],
      wsTokenSha256: values["ws-token-sha256"],
      wsSharedSecretFile: values["ws-shared-secret-file"],
      wsIssuer: values["ws-issuer"],
      wsAudience: values["ws-audience"],
      wsMaxClockSkewSeconds: values["ws-max-clock-skew-seconds"],
    });
    if (listen.kind === "stdio" && wsAuth !== null) {
      throw new UsageError("--ws-auth applies only to a ws:// --listen URL");
    }

    if (values["strict-config"]) {
      // Imported only when asked for, so a plain start stays as fast as before.
      const { strictConfigRefusal } = await import("./config_check.ts");
      const refusal = await strictConfigRefusal({
        codexHome: resolveCodexHome(),
        cwd: Deno.cwd(),
        overrides: options.configOverrides,
        featureToggles: options.featureToggles,
        analyticsDefaultEnabled: options.analyticsDefaultEnabled,
      });
      if (refusal !== null) return refusal;
    }

    configureLogging();
    keepRunningOnStrayErrors();
    const tuning = readTuning();
    const codexHome = resolveCodexHome();
    const server = new AppServer({
      codexHome,
      options,
      config: await loadStartupConfig(codexHome, options),
      inboundCapacity: tuning.inboundCapacity,
    });
    server.startThreadReaper(tuning.threadIdleUnloadMs);

    if (listen.kind === "stdio") {
      const stop = () => void exit(0);
      Deno.addSignalListener("SIGINT", stop);
      Deno.addSignalListener("SIGTERM", stop);
      await serveStdio(server, { maxMessageBytes: tuning.maxMessageBytes });
      return await exit(0);
    }

    const refusal = unauthenticatedListenerError(
      listen.hostname,
      `${listen.display}:${listen.port}`,
      wsAuth,
    );
    if (refusal) throw new CommandError(refusal);
    const authenticate = wsAuth ? await createWsAuthenticator(wsAuth) : null;
    const log = getLogger("codex_app_server");
    let listener;
    try {
      listener = serveWebSocket(server, {
        hostname: listen.hostname,
        port: listen.port,
        authenticate,
        limits: tuning.outbound,
        maxMessageBytes: tuning.maxMessageBytes,
        onListen: ({ port }) => {
          printErr(banner(`${listen.display}:${port}`, listen.hostname, wsAuth !== null));
          log.info(`app-server websocket listening on ws://${listen.display}:${port}`);
        },
      });
    } catch (err) {
      throw new CommandError(
        `failed to listen on ws://${listen.display}:${listen.port}: ${(err as Error).message}`,
      );
    }
    const ws = listener;
    Deno.addSignalListener("SIGINT", () => {
      log.info(`received Ctrl-C; closing ${ws.connections} connection(s) and exiting`);
      void ws.shutdown().then(() => exit(0));
    });
    Deno.addSignalListener("SIGTERM", () => void exit(0));
    await ws.finished;
    return await exit(0);
  } catch (err) {
    return reportError(err, "codex app-server --help");
  }
}

/**
 * Loads every config layer once at startup. A bad file never stops the server (its problems
 * become `configWarning`s); even an unexpected failure only leaves the config methods failing.
 */
async function loadStartupConfig(
  codexHome: string,
  options: AppServerOptions,
): Promise<ConfigService | null> {
  try {
    return await ConfigService.load({
      codexHome,
      cwd: Deno.cwd(),
      overrides: options.configOverrides,
      featureToggles: options.featureToggles,
      analyticsDefaultEnabled: options.analyticsDefaultEnabled,
    });
  } catch (err) {
    getLogger("codex_app_server").error(`failed to load configuration: ${describeError(err)}`);
    return null;
  }
}

/** Websocket auth flags that do not fit together are bad arguments (exit 2). */
function parseWsAuthFlags(raw: Parameters<typeof parseWsAuthOptions>[0]) {
  try {
    return parseWsAuthOptions(raw);
  } catch (err) {
    if (err instanceof WsAuthConfigError) throw new UsageError(err.message, USAGE);
    throw err;
  }
}

/** Checks the shape of one `-c key=value`; the config layer interprets the value. */
function checkOverride(raw: string): string {
  const eq = raw.indexOf("=");
  if (eq === -1) throw new UsageError(`invalid -c override '${raw}': missing '='`, USAGE);
  if (raw.slice(0, eq).trim() === "") {
    throw new UsageError(`invalid -c override '${raw}': empty key`, USAGE);
  }
  return raw;
}

function banner(addr: string, hostname: string, authenticated: boolean): string {
  const color = Deno.stderr.isTerminal() && !Deno.env.get("NO_COLOR");
  const bold = (s: string) => color ? `\x1b[1m${s}\x1b[0m` : s;
  const dim = (s: string) => color ? `\x1b[2m${s}\x1b[0m` : s;
  const loopback = hostname === "::1" || hostname.startsWith("127.");
  const note = loopback
    ? "binds localhost only (use SSH port-forwarding for remote access)"
    : authenticated
    ? "reachable from other hosts; bearer auth is on, put TLS in front for real remote use"
    : "reachable from other hosts";
  return [
    bold("codex app-server (WebSockets)"),
    `  listening on: ws://${addr}`,
    `  readyz: http://${addr}/readyz`,
    `  healthz: http://${addr}/healthz`,
    dim(`  note: ${note}`),
  ].join("\n");
}

/**
 * A bug in one handler or socket callback must not take every client down: stray errors
 * are logged and the server keeps serving.
 */
function keepRunningOnStrayErrors(): void {
  const log = getLogger("codex_app_server");
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    log.error("unhandled promise rejection", { error: describeError(event.reason) });
  });
  globalThis.addEventListener("error", (event) => {
    event.preventDefault();
    log.error("uncaught exception", { error: describeError(event.error) });
  });
}

function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

async function exit(code: number): Promise<never> {
  // The agent's commands run in their own process groups; they end with the server.
  killAllProcessGroups();
  await flushLogs();
  Deno.exit(code);
}
