/**
 * Client-side ("dynamic") tools declared at `thread/start`: validated before the thread
 * exists, offered to the model as function tools, and executed by the client through the
 * `item/tool/call` server request. The client's content items go back to the model as the
 * call's output; an error reply, or no reply at all, as `dynamic tool request failed`.
 *
 * @module
 */

import { DynamicToolCallResponse } from "../../protocol/schema/server_requests.ts";
import type { DynamicToolSpec } from "../../protocol/schema/thread_methods.ts";
import type { FunctionToolSpec } from "../model/request.ts";
import { askClients } from "./client_asks.ts";
import type {
  ToolCall,
  ToolContentPart,
  ToolContext,
  ToolHandler,
  ToolOutput,
} from "./tool_types.ts";
import type { ThreadItem } from "../../protocol/schema/items.ts";

const SCHEMA_TYPES = ["boolean", "string", "integer", "number", "array", "object"];

/** Why an input schema is outside the JSON Schema subset tools may use, or null. */
function schemaProblem(schema: unknown, at = ""): string | null {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    const what = schema === null
      ? "null"
      : Array.isArray(schema)
      ? "sequence"
      : typeof schema === "number"
      ? `${Number.isInteger(schema) ? "integer" : "floating point"} \`${schema}\``
      : typeof schema === "string"
      ? `string ${JSON.stringify(schema)}`
      : `boolean \`${schema}\``;
    return `${at}invalid type: ${what}, expected internally tagged enum JsonSchema`;
  }
  const s = schema as Record<string, unknown>;
  // A schema without a type is accepted (the reference treats it as a string).
  if (!("type" in s)) return null;
  if (typeof s.type !== "string" || !SCHEMA_TYPES.includes(s.type)) {
    return `${at}unknown variant \`${String(s.type)}\`, expected one of ${
      SCHEMA_TYPES.map((t) => `\`${t}\``).join(", ")
    }`;
  }
  if (s.type === "object" && s.properties !== undefined) {
    if (typeof s.properties !== "object" || s.properties === null) {
      return `${at}properties: expected a map`;
    }
    for (const [k, v] of Object.entries(s.properties)) {
      const p = schemaProblem(v, `${at}properties.${k}: `);
      if (p) return p;
    }
  }
  if (s.type === "array" && s.items !== undefined) return schemaProblem(s.items, `${at}items: `);
  return null;
}

/** Checks declared tools; returns the first problem in the reference's wording, or null. */
export function validateDynamicTools(tools: DynamicToolSpec[]): string | null {
  const seen = new Set<string>();
  for (const tool of tools) {
    const name = tool.name;
    if (name.trim() === "") return "dynamic tool name must not be empty";
    if (name !== name.trim()) return `dynamic tool name has leading/trailing whitespace: ${name}`;
    if (seen.has(name)) return `duplicate dynamic tool name: ${name}`;
    seen.add(name);
    if (name.startsWith("mcp__")) return `dynamic tool name is reserved: ${name}`;
    const problem = schemaProblem(tool.inputSchema);
    if (problem) return `dynamic tool input schema is not supported for ${name}: ${problem}`;
  }
  return null;
}

/** The spec the model gets: the client's schema unchanged, not strict (§7.2). */
export function dynamicToolSpec(tool: DynamicToolSpec): FunctionToolSpec {
  return {
    type: "function",
    name: tool.name,
    description: tool.description,
    strict: false,
    parameters: tool.inputSchema as Record<string, unknown>,
  };
}

const FAILED: ToolOutput = [{ type: "input_text", text: "dynamic tool request failed" }];

/** The handler of one declared tool. */
export function dynamicToolHandler(tool: DynamicToolSpec): ToolHandler {
  return {
    spec: dynamicToolSpec(tool),
    async handle(call: ToolCall, ctx: ToolContext) {
      let args: unknown = null;
      try {
        args = call.payload.trim() === "" ? {} : JSON.parse(call.payload);
      } catch {
        args = call.payload;
      }
      const started = Date.now();
      // Later Codex shows the call as an item; those go to experimental clients only.
      const item = {
        type: "dynamicToolCall",
        id: call.callId,
        tool: call.name,
        arguments: args,
        status: "inProgress",
        contentItems: null,
        success: null,
        durationMs: null,
      };
      const emit = (kind: "itemStarted" | "itemCompleted", fields: Record<string, unknown>) =>
        ctx.host.emit({
          kind,
          threadId: ctx.thread.id,
          turnId: ctx.turn.id,
          item: { ...item, ...fields } as unknown as ThreadItem,
        });
      emit("itemStarted", {});
      const reply = await askClients(ctx, "item/tool/call", {
        threadId: ctx.thread.id,
        turnId: ctx.turn.id,
        callId: call.callId,
        tool: call.name,
        arguments: args,
      }, null);
      const parsed = reply.kind === "result"
        ? DynamicToolCallResponse.safeParse(reply.result)
        : null;
      const durationMs = Date.now() - started;
      if (!parsed?.success) {
        emit("itemCompleted", { status: "failed", success: false, durationMs });
        return FAILED;
      }
      const { contentItems, success } = parsed.data;
      emit("itemCompleted", {
        status: success ? "completed" : "failed",
        contentItems,
        success,
        durationMs,
      });
      return contentItems.map((c): ToolContentPart =>
        c.type === "inputText"
          ? { type: "input_text", text: c.text }
          : { type: "input_image", image_url: c.imageUrl }
      );
    },
  };
}
