/**
 * Rebuilds a thread's turns from its rollout, for `thread/read` with `includeTurns` (and
 * later resume and fork). A rollout keeps only what the core persists, so the result is
 * lossy by nature: user messages, agent messages, reasoning, compactions; tool calls are
 * not persisted by default and do not come back.
 *
 * Rules, following Codex 0.105 unless our issue decided otherwise:
 * - turn boundaries and ids come from `task_started` / `task_complete` / `turn_aborted`; a
 *   rollout without them (older writers) opens a turn at each user message and takes its id
 *   from the next `turn_context`;
 * - item ids are synthetic (`item-1`, `item-2`, …) across the whole thread, because the live
 *   ids were never persisted;
 * - an aborted turn is `interrupted`;
 * - a turn during which an `error` event was persisted stays `failed` with that error (0.105
 *   reports it `completed`; our issue decided to keep the failure);
 * - `thread_rolled_back` drops the last N turns, as the model context did.
 *
 * @module
 */

import type { RolloutRecord } from "../rollout/rollout_format.ts";
import type { CodexErrorInfo, Turn, TurnError } from "../../protocol/schema/thread.ts";
import type { ThreadItem } from "../../protocol/schema/items.ts";
import type { UserInput } from "../../protocol/schema/user_input.ts";

type Json = Record<string, unknown>;

interface OpenTurn {
  turn: Turn;
  /** Opened by `task_started` (its id is final) rather than implied by a user message. */
  explicit: boolean;
  /** Took its id from a `task_started` or `turn_context`. */
  hasRealId: boolean;
}

/** Builds turns from rollout records, in file order. */
export class HistoryBuilder {
  readonly #turns: Turn[] = [];
  #current: OpenTurn | null = null;
  #nextItem = 1;
  #implicitTurns = 0;

  /** Feeds one record. Records of unknown kinds are ignored. */
  add(record: RolloutRecord): void {
    const p = record.payload;
    if (record.type === "turn_context") {
      if (this.#current && !this.#current.hasRealId && typeof p.turn_id === "string") {
        this.#current.turn.id = p.turn_id;
        this.#current.hasRealId = true;
      }
      return;
    }
    if (record.type === "compacted") {
      this.#compaction();
      return;
    }
    if (record.type !== "event_msg") return;
    switch (p.type) {
      case "task_started":
        this.#finish();
        this.#open(str(p.turn_id), true);
        return;
      case "task_complete":
        this.#complete(str(p.turn_id));
        return;
      case "turn_aborted":
        this.#abort(str(p.turn_id));
        return;
      case "error":
        this.#fail(p);
        return;
      case "user_message":
        this.#userMessage(p);
        return;
      case "agent_message":
        this.#push({
          type: "agentMessage",
          id: "",
          text: str(p.message) ?? "",
          phase: p.phase === "commentary" || p.phase === "final_answer" ? p.phase : null,
        });
        return;
      case "agent_reasoning":
        this.#reasoning("summary", str(p.text) ?? "");
        return;
      case "agent_reasoning_raw_content":
        this.#reasoning("content", str(p.text) ?? "");
        return;
      case "context_compacted":
        this.#compaction();
        return;
      case "thread_rolled_back":
        this.#rollback(typeof p.num_turns === "number" ? p.num_turns : 0);
        return;
    }
  }

  /** The turns so far; an unfinished last turn is reported `inProgress`. */
  finish(): Turn[] {
    const open = this.#current?.turn;
    const turns = this.#turns.slice();
    if (open && (open.items.length > 0 || this.#current!.explicit)) turns.push(open);
    return turns;
  }

  #open(id: string | null, explicit: boolean): OpenTurn {
    this.#current = {
      turn: {
        id: id ?? `turn-${++this.#implicitTurns}`,
        items: [],
        status: "inProgress",
        error: null,
      },
      explicit,
      hasRealId: id !== null,
    };
    return this.#current;
  }

  /** Closes the open turn; one with neither items nor an explicit start leaves no trace. */
  #finish(): void {
    const open = this.#current;
    this.#current = null;
    if (!open) return;
    if (open.turn.items.length === 0 && !open.explicit) return;
    if (open.turn.status === "inProgress") open.turn.status = "completed";
    this.#turns.push(open.turn);
  }

  #target(turnId: string | null): Turn | null {
    if (this.#current && (turnId === null || this.#current.turn.id === turnId)) {
      return this.#current.turn;
    }
    return turnId === null ? null : this.#turns.findLast((t) => t.id === turnId) ?? null;
  }

  #complete(turnId: string | null): void {
    const turn = this.#target(turnId);
    if (turn && turn.status === "inProgress") turn.status = "completed";
    if (turn && turn === this.#current?.turn) this.#finish();
  }

  #abort(turnId: string | null): void {
    const turn = this.#target(turnId);
    if (turn) turn.status = "interrupted";
    if (turn && turn === this.#current?.turn) this.#finish();
  }

  #fail(p: Json): void {
    const turn = this.#current?.turn;
    if (!turn) return;
    turn.status = "failed";
    turn.error = turnErrorOf(p);
  }

  #userMessage(p: Json): void {
    // Without explicit turn events each user message starts a turn of its own.
    if (this.#current && !this.#current.explicit && this.#current.turn.items.length > 0) {
      this.#finish();
    }
    if (!this.#current) this.#open(null, false);
    this.#push({ type: "userMessage", id: "", content: userInputsOf(p) });
  }

  /**
   * Summary parts of one reasoning item arrive as consecutive `agent_reasoning` events and its
   * raw content after them, so they join the reasoning item they follow.
   */
  #reasoning(part: "summary" | "content", text: string): void {
    const items = this.#current?.turn.items;
    const last = items?.[items.length - 1];
    if (last?.type === "reasoning" && (part === "content" || last.content.length === 0)) {
      last[part].push(text);
      return;
    }
    this.#push({
      type: "reasoning",
      id: "",
      summary: part === "summary" ? [text] : [],
      content: part === "content" ? [text] : [],
    });
  }

  #compaction(): void {
    const items = this.#current?.turn.items;
    // The core persists both a `compacted` record and a `context_compacted` event for one
    // compaction; they make one item.
    if (items?.[items.length - 1]?.type === "contextCompaction") return;
    this.#push({ type: "contextCompaction", id: "" });
  }

  #rollback(numTurns: number): void {
    this.#finish();
    if (numTurns > 0) this.#turns.splice(Math.max(0, this.#turns.length - numTurns));
  }

  #push(item: ThreadItem): void {
    const open = this.#current ?? this.#open(null, false);
    item.id = `item-${this.#nextItem++}`;
    open.turn.items.push(item);
  }
}

/** Turns of a whole rollout. */
export function buildTurns(records: Iterable<RolloutRecord>): Turn[] {
  const builder = new HistoryBuilder();
  for (const record of records) builder.add(record);
  return builder.finish();
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** The `user_message` event as wire inputs: text (with its elements), then images. */
export function userInputsOf(p: Json): UserInput[] {
  const content: UserInput[] = [];
  const message = str(p.message) ?? "";
  if (message.trim() !== "") {
    content.push({ type: "text", text: message, text_elements: textElementsOf(p.text_elements) });
  }
  for (const url of Array.isArray(p.images) ? p.images : []) {
    if (typeof url === "string") content.push({ type: "image", url });
  }
  for (const path of Array.isArray(p.local_images) ? p.local_images : []) {
    if (typeof path === "string") content.push({ type: "localImage", path });
  }
  return content;
}

function textElementsOf(raw: unknown): Extract<UserInput, { type: "text" }>["text_elements"] {
  if (!Array.isArray(raw)) return [];
  const out: Extract<UserInput, { type: "text" }>["text_elements"] = [];
  for (const el of raw) {
    if (el === null || typeof el !== "object") continue;
    const e = el as Json;
    const range = (e.byte_range ?? e.byteRange) as Json | undefined;
    if (!range || typeof range.start !== "number" || typeof range.end !== "number") continue;
    out.push({
      byteRange: { start: range.start, end: range.end },
      placeholder: str(e.placeholder),
    });
  }
  return out;
}

/** A persisted `error` event as the wire `TurnError`. */
function turnErrorOf(p: Json): TurnError {
  return {
    message: str(p.message) ?? "",
    codexErrorInfo: errorInfoOf(p.codex_error_info),
    additionalDetails: null,
  };
}

/** `context_window_exceeded` → `contextWindowExceeded`; `{http_connection_failed: …}` too. */
function errorInfoOf(raw: unknown): CodexErrorInfo | null {
  if (typeof raw === "string") return camel(raw) as CodexErrorInfo;
  if (raw === null || typeof raw !== "object") return null;
  const [key, value] = Object.entries(raw as Json)[0] ?? [];
  if (key === undefined) return null;
  const inner = value !== null && typeof value === "object" ? value as Json : {};
  const status = inner.http_status_code ?? inner.httpStatusCode ?? null;
  return { [camel(key)]: { httpStatusCode: status } } as CodexErrorInfo;
}

function camel(text: string): string {
  return text.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
