/**
 * What every tool the model can call shares: the call as the model made it, the output that
 * goes back into the model's context, and the context a handler runs in. Handlers report to
 * clients only through thread events and client requests, so the tools know no JSON-RPC.
 *
 * @module
 */

import type { RawItem } from "../model/events.ts";
import type { FunctionToolSpec, ToolSpec } from "../model/request.ts";
import type { LiveThread } from "../threads/thread.ts";
import type { Turn } from "../../protocol/schema/thread.ts";
import type { TurnHost } from "../threads/turn_runner.ts";
import type { TurnDiffTracker } from "./apply_patch/turn_diff.ts";

/** One tool call from a model response. */
export interface ToolCall {
  /** `function` calls carry JSON `arguments`; `custom` (freeform) calls carry raw `input`. */
  kind: "function" | "custom";
  name: string;
  callId: string;
  /** The JSON text of a function call's arguments, or a custom call's input. */
  payload: string;
  raw: RawItem;
}

/** One part of a tool output that carries more than text (dynamic tools, images). */
export type ToolContentPart =
  | { type: "input_text"; text: string }
  | { type: "input_image"; image_url: string };

/** What the model gets back for one call. */
export type ToolOutput = string | ToolContentPart[];

/** A request to the thread's clients (approval, user input, dynamic tool call). */
export interface ClientAsk {
  method:
    | "item/commandExecution/requestApproval"
    | "item/fileChange/requestApproval"
    | "item/tool/requestUserInput"
    | "item/tool/call";
  params: Record<string, unknown>;
  /** `approval_timeout_secs`; null waits as long as a client can still answer. */
  timeoutMs: number | null;
  /** The turn's signal: an interrupt settles the request. */
  signal: AbortSignal;
}

/**
 * How the clients answered: a result, an error reply, or no answer at all (no client left,
 * timeout, turn interrupted), with the reason recorded for the item and the model.
 */
export type ClientReply =
  | { kind: "result"; result: unknown }
  | { kind: "error"; message: string }
  | { kind: "cancelled"; reason: string };

/** A turn's shared tool state: the aggregated diff and the turn's end-of-turn hooks. */
export interface TurnToolState {
  diff: TurnDiffTracker;
  /** Whether a file change happened this turn (a `turn/diff/updated` is due at the end). */
  changedFiles: boolean;
  /** Set by a tool whose approval was answered `cancel`: the turn stops after this call. */
  cancelTurn: boolean;
}

/** Where a handler runs. */
export interface ToolContext {
  host: TurnHost;
  thread: LiveThread;
  turn: Turn;
  signal: AbortSignal;
  state: TurnToolState;
}

/** A tool: what the model is told about it and how a call runs. */
export interface ToolHandler {
  /** The spec offered to the model; null for tools that are handled but not offered. */
  spec: ToolSpec | null;
  /** Runs one call; failures the model should see are returned as output, not thrown. */
  handle(call: ToolCall, ctx: ToolContext): Promise<ToolOutput>;
}

/** An error whose message is the tool's output for the model (bad arguments and the like). */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolInputError";
  }
}

/** Parses a function call's JSON arguments into an object, or explains why it cannot. */
export function parseArguments(call: ToolCall): Record<string, unknown> {
  let value: unknown;
  try {
    value = call.payload.trim() === "" ? {} : JSON.parse(call.payload);
  } catch (error) {
    throw new ToolInputError(
      `failed to parse function arguments: ${error instanceof Error ? error.message : error}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ToolInputError("failed to parse function arguments: expected a JSON object");
  }
  return value as Record<string, unknown>;
}

/** Reads an optional string argument; a wrong type is the model's mistake to hear about. */
export function optionalString(args: Record<string, unknown>, key: string): string | null {
  const v = args[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new ToolInputError(`\`${key}\` must be a string`);
  return v;
}

/** Reads an optional non-negative number argument. */
export function optionalNumber(args: Record<string, unknown>, key: string): number | null {
  const v = args[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new ToolInputError(`\`${key}\` must be a non-negative number`);
  }
  return v;
}

/** Reads a required string argument. */
export function requiredString(args: Record<string, unknown>, key: string): string {
  const v = optionalString(args, key);
  if (v === null) throw new ToolInputError(`missing required argument \`${key}\``);
  return v;
}

/** A function tool taking a JSON object with exactly `properties` (the `required` ones). */
export function functionSpec(
  name: string,
  description: string,
  properties: Record<string, unknown>,
  required: string[],
): FunctionToolSpec {
  return {
    type: "function",
    name,
    description,
    strict: false,
    parameters: { type: "object", properties, required, additionalProperties: false },
  };
}
