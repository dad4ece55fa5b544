/**
 * Spawns the real `codex` entry point for black-box tests: stdio servers with piped
 * stdin/stdout, and websocket servers whose port is read from the startup banner. Each
 * server gets its own temporary CODEX_HOME, and `close()` kills it and cleans up.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Path of the entry point under test. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** Options for a spawned server. */
export interface SpawnOptions {
  args?: string[];
  env?: Record<string, string>;
  codexHome?: string;
}

/** A finished run of the CLI. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `codex ARGS` to completion (for CLI tests). */
export async function runCli(args: string[], opts: SpawnOptions = {}): Promise<CliResult> {
  const home = opts.codexHome ?? await Deno.makeTempDir({ prefix: "codex-test-home-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN, ...args],
      env: { CODEX_HOME: home, NO_COLOR: "1", ...opts.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    if (!opts.codexHome) await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

/** A running server process. */
export class ServerProcess {
  readonly child: Deno.ChildProcess;
  readonly codexHome: string;
  readonly #ownsHome: boolean;
  #stderr = "";
  readonly #stderrDone: Promise<void>;

  private constructor(child: Deno.ChildProcess, codexHome: string, ownsHome: boolean) {
    this.child = child;
    this.codexHome = codexHome;
    this.#ownsHome = ownsHome;
    this.#stderrDone = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of child.stderr) this.#stderr += dec.decode(chunk, { stream: true });
    })().catch(() => {});
  }

  /** Starts `codex app-server ARGS` with piped stdio. */
  static async start(opts: SpawnOptions = {}): Promise<ServerProcess> {
    const ownsHome = !opts.codexHome;
    const home = opts.codexHome ?? await Deno.makeTempDir({ prefix: "codex-test-home-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN, "app-server", ...(opts.args ?? [])],
      env: { CODEX_HOME: home, NO_COLOR: "1", ...opts.env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new ServerProcess(child, home, ownsHome);
  }

  /** Everything the server wrote to stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** Waits until stderr matches `pattern` (e.g. the websocket banner). */
  async waitForStderr(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = this.#stderr.match(pattern);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out waiting for ${pattern} on stderr; got:\n${this.#stderr}`);
  }

  /** Waits for the websocket banner and returns the bound port. */
  async wsPort(): Promise<number> {
    const m = await this.waitForStderr(/listening on: ws:\/\/[^\s]*:(\d+)/);
    return Number(m[1]);
  }

  /** Waits for the process to exit (with a timeout) and returns its status. */
  async exited(timeoutMs = 10_000): Promise<Deno.CommandStatus> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("server did not exit in time")), timeoutMs);
    });
    try {
      const status = await Promise.race([this.child.status, timeout]);
      await this.#stderrDone;
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the server if still running and removes its CODEX_HOME. */
  async close(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.child.status.catch(() => {});
    await this.child.stdout.cancel().catch(() => {});
    await this.#stderrDone;
    try {
      await this.child.stdin.close();
    } catch {
      // already closed
    }
    if (this.#ownsHome) await Deno.remove(this.codexHome, { recursive: true }).catch(() => {});
  }
}
