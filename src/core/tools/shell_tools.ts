/**
 * The shell tools: `shell_command` (one script, run to the end), `shell` (an argv, the older
 * form) and the unified-exec pair `exec_command` / `write_stdin` for processes the model
 * polls and feeds. Output streams to clients as `item/commandExecution/outputDelta`; the
 * model gets a bounded summary with the head and tail of the output.
 *
 * @module
 */

import { runCommand, type RunResult } from "../exec/process.ts";
import { UnknownSessionError } from "../exec/unified_exec.ts";
import type { OpenCommand } from "../threads/thread.ts";
import {
  type CommandRequest,
  prepareCommand,
  retryPlanAfterDenial,
  type RunPlan,
} from "./command_item.ts";
import { formatSeconds, truncateForModel } from "./truncate.ts";
import {
  functionSpec,
  optionalNumber,
  optionalString,
  parseArguments,
  requiredString,
  type ToolCall,
  type ToolContext,
  type ToolHandler,
  ToolInputError,
} from "./tool_types.ts";
import { resolvePath } from "./paths.ts";
import { completeItem } from "./tool_items.ts";
import { extractPatchFromShell } from "./apply_patch/parser.ts";
import { runApplyPatch } from "./apply_patch_tool.ts";

/** A script that only pipes a patch into `apply_patch` is a file change, not a command. */
function patchInScript(
  ctx: ToolContext,
  callId: string,
  script: string,
  cwd: string,
): Promise<string> | null {
  const found = extractPatchFromShell(script);
  return found ? runApplyPatch(ctx, callId, found.patch, resolvePath(cwd, found.cd)) : null;
}

/** Default time a `shell_command` may run. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const DEFAULT_YIELD_MS = 10_000;

const escalationProps = {
  sandbox_permissions: {
    type: "string",
    enum: ["use_default", "require_escalated"],
    description:
      "Set to require_escalated to ask the user to run this command outside the sandbox.",
  },
  justification: {
    type: "string",
    description: "With require_escalated: a short question to the user saying why.",
  },
};

/** The user's shell for scripts: `$SHELL` when it is a POSIX-style shell, else bash. */
export function userShellPath(): string {
  const shell = Deno.env.get("SHELL") ?? "";
  return /\/(bash|zsh|sh)$/.test(shell) ? shell : "/bin/bash";
}

function escalation(
  args: Record<string, unknown>,
): Pick<CommandRequest, "escalated" | "justification"> {
  const perm = optionalString(args, "sandbox_permissions");
  if (perm !== null && perm !== "use_default" && perm !== "require_escalated") {
    throw new ToolInputError("`sandbox_permissions` must be use_default or require_escalated");
  }
  return {
    escalated: perm === "require_escalated",
    justification: optionalString(args, "justification"),
  };
}

/** What the model reads after a finished command. */
function finishedOutput(r: RunResult, timeoutMs: number | null): string {
  const lines = [];
  if (r.timedOut) lines.push(`command timed out after ${timeoutMs} ms`);
  if (r.sandboxDenied) {
    lines.push(
      'the sandbox blocked this command; to run it outside the sandbox, call again with sandbox_permissions "require_escalated"',
    );
  }
  lines.push(`Exit code: ${r.exitCode}`, `Wall time: ${formatSeconds(r.durationMs)} seconds`);
  return `${lines.join("\n")}\nOutput:\n${truncateForModel(r.aggregated)}`;
}

/** Runs a command item to its end, with the on-failure retry outside the sandbox. */
async function runToEnd(
  ctx: ToolContext,
  req: CommandRequest,
  timeoutMs: number,
): Promise<string> {
  const prepared = await prepareCommand(ctx, req);
  if (!prepared.ok) return prepared.output;
  const { item } = prepared;
  const attempt = (plan: RunPlan) =>
    runCommand({
      argv: req.argv,
      cwd: req.cwd,
      env: plan.env,
      sandbox: plan.sandbox,
      bwrapPath: plan.bwrapPath,
      timeoutMs,
      signal: ctx.signal,
      pace: () => ctx.host.pace(ctx.thread.id),
      onOutput: (delta) =>
        ctx.host.emit({
          kind: "commandOutputDelta",
          threadId: ctx.thread.id,
          turnId: ctx.turn.id,
          itemId: req.itemId,
          delta,
        }),
    });
  let result: RunResult;
  try {
    result = await attempt(prepared.plan);
    if (result.sandboxDenied && !ctx.signal.aborted) {
      const retry = await retryPlanAfterDenial(ctx, req, prepared);
      if (retry) result = await attempt(retry);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    completeItem(ctx, item, {
      status: "failed",
      aggregatedOutput: message,
      exitCode: null,
      durationMs: 0,
    });
    return `exec command failed: ${message}`;
  }
  completeItem(ctx, item, {
    status: result.exitCode === 0 && !result.timedOut && !result.aborted ? "completed" : "failed",
    aggregatedOutput: result.aggregated === "" ? null : result.aggregated,
    exitCode: result.exitCode,
    durationMs: Math.round(result.durationMs),
  });
  if (result.aborted) return "command aborted: the turn was interrupted";
  return finishedOutput(result, timeoutMs);
}

/** `shell_command`: a script run by the user's shell. */
export const shellCommandTool: ToolHandler = {
  spec: functionSpec(
    "shell_command",
    "Runs a shell script with the user's shell (login shell, -lc) and returns its exit code and output. Prefer `rg` for searching. Always set `workdir` instead of using cd.",
    {
      command: { type: "string", description: "The script to run." },
      workdir: { type: "string", description: "Directory to run in (default: the turn's cwd)." },
      timeout_ms: { type: "number", description: "Time limit in milliseconds (default 10000)." },
      ...escalationProps,
    },
    ["command"],
  ),
  async handle(call: ToolCall, ctx: ToolContext) {
    const args = parseArguments(call);
    const script = requiredString(args, "command");
    const cwd = resolvePath(ctx.thread.settings.cwd, optionalString(args, "workdir"));
    const patched = patchInScript(ctx, call.callId, script, cwd);
    if (patched) return await patched;
    return await runCall(ctx, call, args, [userShellPath(), "-lc", script], cwd);
  },
};

/** Runs one `shell_command` / `shell` call to its end, with its `timeout_ms`. */
function runCall(
  ctx: ToolContext,
  call: ToolCall,
  args: Record<string, unknown>,
  argv: string[],
  cwd: string,
): Promise<string> {
  const timeoutMs = optionalNumber(args, "timeout_ms") ?? DEFAULT_COMMAND_TIMEOUT_MS;
  return runToEnd(ctx, { itemId: call.callId, argv, cwd, ...escalation(args) }, timeoutMs);
}

/** `shell`: the older form taking an argv (not offered; still handled for older models). */
export const shellTool: ToolHandler = {
  spec: null,
  async handle(call: ToolCall, ctx: ToolContext) {
    const args = parseArguments(call);
    const argv = args.command;
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === "string")) {
      throw new ToolInputError("`command` must be a non-empty array of strings");
    }
    const cwd = resolvePath(ctx.thread.settings.cwd, optionalString(args, "workdir"));
    return await runCall(ctx, call, args, argv as string[], cwd);
  },
};

/** What the model reads after a unified-exec poll. */
function pollOutput(
  poll: { sessionId: number | null; exitCode: number | null; output: string; wallTimeMs: number },
): string {
  const head = [`Wall time: ${formatSeconds(poll.wallTimeMs)} seconds`];
  head.push(
    poll.sessionId === null
      ? `Process exited with code ${poll.exitCode}`
      : `Process running with session ID ${poll.sessionId}`,
  );
  return `${head.join("\n")}\nOutput:\n${truncateForModel(poll.output)}`;
}

/** Streams a session's output into its open item. */
function streamInto(ctx: ToolContext, open: OpenCommand): (chunk: string) => void {
  return (delta) => {
    open.output += delta;
    ctx.host.emit({
      kind: "commandOutputDelta",
      threadId: ctx.thread.id,
      turnId: open.turnId,
      itemId: open.item.id as string,
      delta,
    });
  };
}

/** Completes the open item of a session whose process ended. */
function closeSession(ctx: ToolContext, sessionId: number, exitCode: number): void {
  const open = ctx.thread.openCommands.get(sessionId);
  if (!open) return;
  ctx.thread.openCommands.delete(sessionId);
  completeItem(ctx, open.item, {
    status: exitCode === 0 ? "completed" : "failed",
    aggregatedOutput: open.output === "" ? null : open.output,
    exitCode,
    durationMs: Date.now() - open.startedAt,
  }, open.turnId);
}

/** `exec_command`: starts a process and returns what it printed within `yield_time_ms`. */
export const execCommandTool: ToolHandler = {
  spec: functionSpec(
    "exec_command",
    "Starts a command in a shell and returns its output after at most yield_time_ms. If it is still running, the result gives a session ID: poll it or send it input with write_stdin.",
    {
      cmd: { type: "string", description: "The shell command to run." },
      workdir: { type: "string", description: "Directory to run in (default: the turn's cwd)." },
      shell: { type: "string", description: "Shell binary (default: the user's shell)." },
      login: { type: "boolean", description: "Run a login shell (-lc, the default) or -c." },
      yield_time_ms: { type: "number", description: "How long to wait for output (ms)." },
      max_output_tokens: { type: "number", description: "Bound on the returned output." },
      ...escalationProps,
    },
    ["cmd"],
  ),
  async handle(call: ToolCall, ctx: ToolContext) {
    const args = parseArguments(call);
    const cmd = requiredString(args, "cmd");
    const shell = optionalString(args, "shell") ?? userShellPath();
    const login = args.login === false ? "-c" : "-lc";
    const workdir = resolvePath(ctx.thread.settings.cwd, optionalString(args, "workdir"));
    const patched = patchInScript(ctx, call.callId, cmd, workdir);
    if (patched) return await patched;
    const req: CommandRequest = {
      itemId: call.callId,
      argv: [shell, login, cmd],
      cwd: workdir,
      ...escalation(args),
    };
    const prepared = await prepareCommand(ctx, req);
    if (!prepared.ok) return prepared.output;
    const open: OpenCommand = {
      item: prepared.item,
      turnId: ctx.turn.id,
      output: "",
      startedAt: Date.now(),
    };
    // The exit may be seen before or after the first poll returns; whichever comes second
    // completes the item.
    let sessionId: number | null = null;
    let exitCode: number | null = null;
    try {
      const poll = await ctx.thread.execSessions.start({
        argv: req.argv,
        cwd: req.cwd,
        env: prepared.plan.env,
        sandbox: prepared.plan.sandbox,
        bwrapPath: prepared.plan.bwrapPath,
        signal: ctx.signal,
        pace: () => ctx.host.pace(ctx.thread.id),
        yieldTimeMs: optionalNumber(args, "yield_time_ms") ?? DEFAULT_YIELD_MS,
        maxOutputBytes: maxBytes(args),
        onOutput: streamInto(ctx, open),
        onExit: (code) => {
          exitCode = code;
          if (sessionId !== null) closeSession(ctx, sessionId, code);
        },
      });
      sessionId = poll.sessionId ?? -1;
      if (poll.sessionId !== null) open.item = { ...open.item, processId: String(poll.sessionId) };
      ctx.thread.openCommands.set(sessionId, open);
      const ended = poll.sessionId === null ? poll.exitCode ?? exitCode : exitCode;
      if (ended !== null) closeSession(ctx, sessionId, ended);
      return pollOutput(poll);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      completeItem(ctx, open.item, {
        status: "failed",
        aggregatedOutput: message,
        exitCode: null,
        durationMs: 0,
      });
      return `exec_command failed: ${message}`;
    }
  },
};

/** `max_output_tokens` as bytes (about four bytes a token). */
function maxBytes(args: Record<string, unknown>): number | undefined {
  const tokens = optionalNumber(args, "max_output_tokens");
  return tokens === null ? undefined : Math.max(256, Math.floor(tokens * 4));
}

/** `write_stdin`: feeds (or just polls) a running `exec_command` session. */
export const writeStdinTool: ToolHandler = {
  spec: functionSpec(
    "write_stdin",
    "Writes characters to the stdin of a running exec_command session (empty to just wait for output) and returns the new output.",
    {
      session_id: { type: "number", description: "The session ID from exec_command." },
      chars: { type: "string", description: "Text to write; may be empty." },
      yield_time_ms: { type: "number", description: "How long to wait for output (ms)." },
      max_output_tokens: { type: "number", description: "Bound on the returned output." },
    },
    ["session_id"],
  ),
  async handle(call: ToolCall, ctx: ToolContext) {
    const args = parseArguments(call);
    const id = optionalNumber(args, "session_id");
    if (id === null) throw new ToolInputError("missing required argument `session_id`");
    const chars = optionalString(args, "chars") ?? "";
    const open = ctx.thread.openCommands.get(id);
    if (open) {
      // Output from now on belongs to this turn's view of the item.
      ctx.thread.execSessions.setOnOutput(id, streamInto(ctx, open));
      if (chars !== "") {
        ctx.host.emit({
          kind: "terminalInteraction",
          threadId: ctx.thread.id,
          turnId: ctx.turn.id,
          itemId: open.item.id as string,
          processId: String(id),
          stdin: chars,
        });
      }
    }
    try {
      const poll = await ctx.thread.execSessions.write(
        id,
        chars,
        optionalNumber(args, "yield_time_ms") ?? 250,
        maxBytes(args),
      );
      return pollOutput(poll);
    } catch (error) {
      if (error instanceof UnknownSessionError) throw new ToolInputError(error.message);
      throw error;
    }
  },
};
