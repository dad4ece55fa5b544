/**
 * One loaded thread: its settings, its model history, its rollout writer, and the inputs of
 * its status (§4.2 of the reference notes). Events leave through the manager's listener; no
 * JSON-RPC here.
 *
 * @module
 */

import type { RawItem } from "../model/events.ts";
import type { ModelProvider } from "../model/provider.ts";
import type { RolloutWriter } from "../rollout/rollout_writer.ts";
import type { SessionMetaPayload } from "../rollout/rollout_format.ts";
import type { ThreadStatus, Turn } from "../../protocol/schema/thread.ts";
import type { AskForApproval, SandboxMode } from "../../protocol/schema/sandbox.ts";
import type { TokenUsageBreakdown } from "../../protocol/schema/notifications.ts";
import type { Personality, ReasoningEffort, ReasoningSummary } from "../../protocol/schema/turn.ts";
import type { Verbosity } from "../../protocol/schema/config.ts";
import { emptySentContext, type ProjectDocOptions, type SentContext } from "./turn_context.ts";
import type { ThreadItem } from "../../protocol/schema/items.ts";
import type { RateLimitSnapshot } from "../../protocol/schema/account.ts";
import type { UserInput } from "../../protocol/schema/user_input.ts";
import type { ShellEnvironmentPolicy } from "../exec/exec_env.ts";
import type { DynamicToolSpec } from "../../protocol/schema/thread_methods.ts";
import { ExecSessions } from "../exec/unified_exec.ts";

/** What the status is derived from. */
export interface StatusInputs {
  loaded: boolean;
  running: boolean;
  pendingApprovals: number;
  pendingUserInputs: number;
  systemError: boolean;
}

/** §4.2: not loaded, then active (flags: approval, user input), then system error, idle. */
export function deriveStatus(s: StatusInputs): ThreadStatus {
  if (!s.loaded) return { type: "notLoaded" };
  if (s.running || s.pendingApprovals > 0 || s.pendingUserInputs > 0) {
    const activeFlags: Array<"waitingOnApproval" | "waitingOnUserInput"> = [];
    if (s.pendingApprovals > 0) activeFlags.push("waitingOnApproval");
    if (s.pendingUserInputs > 0) activeFlags.push("waitingOnUserInput");
    return { type: "active", activeFlags };
  }
  if (s.systemError) return { type: "systemError" };
  return { type: "idle" };
}

/** Whether two statuses are the same value. */
export function sameStatus(a: ThreadStatus, b: ThreadStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Settings a turn runs with. */
export interface ThreadSettings {
  model: string;
  provider: ModelProvider;
  cwd: string;
  approvalPolicy: AskForApproval;
  sandboxMode: SandboxMode;
  /** The wire `SandboxPolicy` object. */
  sandboxPolicy: Record<string, unknown>;
  /** The on-disk `sandbox_policy` of `turn_context`. */
  diskSandboxPolicy: Record<string, unknown>;
  baseInstructions: string;
  shell: string;
  /** Reported back by `thread/resume` of a loaded thread; `null` when config is silent. */
  reasoningEffort?: ReasoningEffort | null;
  reasoningSummary?: ReasoningSummary | null;
  verbosity?: Verbosity | null;
  personality?: Personality | null;
  /** Sent to the model as a developer message before the conversation. */
  developerInstructions?: string | null;
  /** Where AGENTS.md files are looked for (besides the cwd); none when absent. */
  projectDocs?: Omit<ProjectDocOptions, "cwd"> | null;
  /** An ephemeral thread never writes a rollout. */
  ephemeral?: boolean;
  /** `model_auto_compact_token_limit`: compact before a model call at this many tokens. */
  autoCompactTokenLimit?: number | null;
  /** `compact_prompt`: replaces our summarisation prompt. */
  compactPrompt?: string | null;
  /** `model_context_window`: replaces the model's own window when set. */
  configuredContextWindow?: number | null;
  /** `approval_timeout_secs` in ms: an unanswered client request is declined after it. */
  approvalTimeoutMs?: number | null;
  /** `[shell_environment_policy]`: the environment commands run with. */
  shellEnvironmentPolicy?: ShellEnvironmentPolicy;
  /** Client-side tools declared at `thread/start` (kept in the rollout's session meta). */
  dynamicTools?: DynamicToolSpec[];
  /** `features.unified_exec`: offer `exec_command`/`write_stdin` instead of `shell_command`. */
  unifiedExec?: boolean;
  /** Offer `apply_patch` as a freeform tool (else as a function tool). */
  freeformApplyPatch?: boolean;
  /** `tools.view_image`. */
  viewImage?: boolean;
  /** The turn's collaboration mode (`turn/start` `collaborationMode`); `default` when unset. */
  collaborationMode?: string | null;
}

/** The context window of the models we know no better about (the reference's fallback). */
const DEFAULT_CONTEXT_WINDOW = 272_000;
/** Of the window, the part usable for input; the rest is room for the answer. */
const EFFECTIVE_CONTEXT_PERCENT = 95;

/**
 * The context window reported with token usage (`modelContextWindow`): the configured or
 * known window of the thread's current model, of which 95% is usable, as the reference
 * reports it (258,400 for a 272k model).
 */
export function modelContextWindow(
  s: Pick<ThreadSettings, "model" | "configuredContextWindow">,
): number {
  const window = s.configuredContextWindow ??
    (s.model.startsWith("gpt-oss") ? 128_000 : DEFAULT_CONTEXT_WINDOW);
  return Math.floor(window * EFFECTIVE_CONTEXT_PERCENT / 100);
}

/** What the user approved for the rest of the session (`acceptForSession`). */
export interface SessionApprovals {
  commands: Set<string>;
  /** Command prefixes approved with an exec-policy amendment. */
  prefixes: string[][];
  /** Files a patch may change without asking again. */
  paths: Set<string>;
  /** Commands approved for the session to run outside the sandbox (after a denial). */
  unsandboxed: Set<string>;
}

/**
 * An item the model is still streaming, with what arrived so far, so a client that attaches
 * mid-turn (`thread/resume`) gets the text it missed and only the deltas after it.
 */
export interface OpenItem {
  item: Record<string, unknown>;
  text: string;
  summary: string[];
  content: string[];
}

/** A `commandExecution` item whose process is still running. */
export interface OpenCommand {
  item: Record<string, unknown>;
  turnId: string;
  output: string;
  startedAt: number;
}

/** The turn that is running, if any. */
export interface ActiveTurn {
  turn: Turn;
  abort: AbortController;
  /** Settles when the turn has ended (any status). */
  done: Promise<void>;
  /** Settles once the turn has stopped, before its final events are emitted. */
  stopped: Promise<void>;
  /** `turn/started` was emitted and `turn/completed` not yet: the turn is visible. */
  started: boolean;
  /** Items being streamed, by id, in start order. */
  open: Map<string, OpenItem>;
  /** Tool items started and not yet completed (commands, file changes), by id. */
  running: Map<string, Record<string, unknown>>;
  /**
   * Inputs added by `turn/steer`, waiting for the runner to take them into the model
   * context before its next model call.
   */
  pending: UserInput[][];
  /**
   * Whether the runner will still make a model call that can see steered input; once it has
   * decided to end the turn, a steer would be silently lost, so it is refused instead.
   */
  steerable: boolean;
  /** A JSON Schema the final answer of this turn must match (not kept for later turns). */
  outputSchema?: Record<string, unknown> | null;
}

/** A loaded thread. */
export class LiveThread {
  readonly id: string;
  readonly meta: SessionMetaPayload;
  readonly writer: RolloutWriter;
  readonly settings: ThreadSettings;
  readonly createdAt: number;
  /** The model context: everything sent back on the next request. */
  readonly history: RawItem[] = [];
  readonly status: StatusInputs = {
    loaded: true,
    running: false,
    pendingApprovals: 0,
    pendingUserInputs: 0,
    systemError: false,
  };
  lastStatus: ThreadStatus = { type: "notLoaded" };
  active: ActiveTurn | null = null;
  /** Finished turns (rebuilt from the rollout for a resumed thread), for `thread/resume`. */
  readonly turns: Turn[] = [];
  turnCount = 0;
  /** The name set with `thread/name/set` (kept in `session_index.jsonl`). */
  name: string | null = null;
  /** Text of the first user message (the thread's preview). */
  firstUserMessage: string | null = null;
  totalUsage: TokenUsageBreakdown | null = null;
  /** The rate limits of the latest model response (its headers). */
  rateLimits: RateLimitSnapshot | null = null;
  /** Usage of the last model response: how full the context is (auto-compaction). */
  lastUsage: TokenUsageBreakdown | null = null;
  /** The context messages the model has already seen (see `contextUpdate`). */
  sentContext: SentContext = emptySentContext();
  readonly approvals: SessionApprovals = {
    commands: new Set(),
    prefixes: [],
    paths: new Set(),
    unsandboxed: new Set(),
  };
  /** Long-running processes of `exec_command` (background terminals). */
  readonly execSessions = new ExecSessions();
  /** Command items whose process still runs, by session id: later polls stream into them. */
  readonly openCommands = new Map<number, OpenCommand>();

  constructor(meta: SessionMetaPayload, writer: RolloutWriter, settings: ThreadSettings) {
    this.id = meta.id;
    this.meta = meta;
    this.writer = writer;
    this.settings = settings;
    this.createdAt = Math.floor(Date.parse(meta.timestamp) / 1000);
  }
}

/** What a client attaching now must be shown of an open item: everything streamed so far. */
function openItemSnapshot(o: OpenItem): ThreadItem {
  const filled = (parts: string[]) => Array.from(parts, (p) => p ?? "");
  if (o.item.type === "reasoning") {
    return { ...o.item, summary: filled(o.summary), content: filled(o.content) } as ThreadItem;
  }
  return { ...o.item, text: o.text } as ThreadItem;
}

/**
 * The thread's turns as a client attaching now sees them: finished turns, then the running
 * turn (once `turn/started` went out) as `inProgress` with its items so far, including the
 * partial ones. Taken synchronously, so together with events emitted afterwards it covers
 * each delta exactly once.
 */
export function turnsSnapshot(thread: LiveThread): Turn[] {
  const turns = thread.turns.map((t) => ({ ...t, items: [...t.items] }));
  const active = thread.active;
  if (active?.started) {
    const items = [
      ...active.turn.items,
      ...[...active.running.values()] as unknown as ThreadItem[],
      ...[...active.open.values()].map(openItemSnapshot),
    ];
    turns.push({ ...active.turn, status: "inProgress", error: null, items });
  }
  return turns;
}
