/**
 * `command/exec`: one command outside any thread, under the server's configured sandbox (or
 * the request's), and `thread/backgroundTerminals/clean`, which stops a thread's
 * long-running `exec_command` processes. Errors carry the reference's texts.
 *
 * @module
 */

import { internalError, invalidRequest } from "../../jsonrpc/errors.ts";
import { resolveEffective } from "../../config/effective.ts";
import { runCommand } from "../../core/exec/process.ts";
import { buildExecEnv, shellEnvironmentPolicyFrom } from "../../core/exec/exec_env.ts";
import { probeBwrap, sandboxSpecOf } from "../../core/exec/sandbox.ts";
import type { SandboxPolicy } from "../../protocol/schema/sandbox.ts";
import type { Handler } from "../router.ts";
import { wirePolicy } from "./thread_settings.ts";
import { threadIdOf } from "./thread_live.ts";

/** Output kept whole up to this size per stream (the reference returns output unbounded). */
const MAX_EXEC_OUTPUT_BYTES = 64 * 1024 * 1024;

/** `command/exec`. */
export const commandExec: Handler<"command/exec"> = async (ctx, params) => {
  if (params.command.length === 0) throw invalidRequest("command must not be empty");
  const config = ctx.server.config;
  if (!config) throw internalError("configuration is not loaded in this server");
  const serverCwd = Deno.cwd();
  const effective = resolveEffective(await config.read(serverCwd, null), config.requirements)
    .config;
  const policy: SandboxPolicy = params.sandboxPolicy ??
    wirePolicy(effective.sandboxMode, effective.sandboxWorkspaceWrite);
  const cwd = params.cwd ?? serverCwd;
  if (!cwd.startsWith("/") || !(await isDir(cwd))) {
    throw internalError("exec failed: No such file or directory (os error 2)");
  }
  const env = Deno.env.toObject();
  const sandbox = sandboxSpecOf(policy, { cwd, codexHome: ctx.server.codexHome, env });
  let bwrapPath: string | undefined;
  if (sandbox.kind !== "none") {
    const probe = await probeBwrap();
    if (!probe.ok) throw internalError(`exec failed: sandbox error: ${probe.reason}`);
    bwrapPath = probe.path;
  }
  let result;
  try {
    result = await runCommand({
      argv: params.command,
      cwd,
      env: buildExecEnv(
        shellEnvironmentPolicyFrom(effective.shellEnvironmentPolicy),
        env,
      ),
      sandbox,
      bwrapPath,
      timeoutMs: params.timeoutMs ?? null,
      maxCaptureBytes: MAX_EXEC_OUTPUT_BYTES,
    });
  } catch (error) {
    throw internalError(`exec failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (result.timedOut) throw internalError("exec failed: sandbox error: command timed out");
  if (result.sandboxDenied) {
    throw internalError(
      `exec failed: sandbox error: sandbox denied exec error, exit code: ${result.exitCode}, stdout: ${result.stdout}, stderr: ${result.stderr}`,
    );
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
};

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** `thread/backgroundTerminals/clean` (experimental). */
export const backgroundTerminalsClean: Handler<"thread/backgroundTerminals/clean"> = async (
  ctx,
  params,
) => {
  const threadId = threadIdOf(params.threadId);
  const thread = ctx.server.threads.get(threadId);
  if (!thread) throw invalidRequest(`thread not found: ${threadId}`);
  await thread.execSessions.killAll();
  return {};
};
