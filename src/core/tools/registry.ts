/**
 * The tools of one thread: which are offered to the model (built-ins chosen by the thread's
 * settings, then the client's dynamic tools) and which handler runs a call by name. Calls
 * run here, one after another, and each becomes the output item the model sees next.
 *
 * @module
 */

import type { RawItem } from "../model/events.ts";
import type { ToolSpec } from "../model/request.ts";
import type { ThreadSettings } from "../threads/thread.ts";
import {
  applyPatchFreeformSpec,
  applyPatchFunctionSpec,
  applyPatchTool,
} from "./apply_patch_tool.ts";
import { dynamicToolHandler } from "./dynamic_tools.ts";
import { updatePlanTool } from "./plan_tool.ts";
import { execCommandTool, shellCommandTool, shellTool, writeStdinTool } from "./shell_tools.ts";
import {
  type ToolCall,
  type ToolContext,
  type ToolHandler,
  ToolInputError,
  type ToolOutput,
} from "./tool_types.ts";
import { requestUserInputTool } from "./user_input_tool.ts";
import { viewImageTool } from "./view_image_tool.ts";

/** Handlers by name and the specs offered, for one model call. */
export interface ToolSet {
  specs: ToolSpec[];
  handlers: Map<string, ToolHandler>;
}

/** The tools a thread's model call gets. */
export function toolSetFor(settings: ThreadSettings): ToolSet {
  const handlers = new Map<string, ToolHandler>([
    ["shell_command", shellCommandTool],
    ["shell", shellTool],
    ["exec_command", execCommandTool],
    ["write_stdin", writeStdinTool],
    ["apply_patch", applyPatchTool],
    ["update_plan", updatePlanTool],
    ["view_image", viewImageTool],
    ["request_user_input", requestUserInputTool],
  ]);
  const offered: ToolSpec[] = [];
  const offer = (spec: ToolSpec | null) => spec && offered.push(spec);
  if (settings.unifiedExec ?? true) {
    offer(execCommandTool.spec);
    offer(writeStdinTool.spec);
  } else {
    offer(shellCommandTool.spec);
  }
  offer(settings.freeformApplyPatch ?? true ? applyPatchFreeformSpec : applyPatchFunctionSpec);
  offer(updatePlanTool.spec);
  if (settings.viewImage ?? true) offer(viewImageTool.spec);
  if ((settings.collaborationMode ?? "default") !== "default") offer(requestUserInputTool.spec);
  // A client's tool wins over a built-in of the same name: the client declared it on purpose.
  const dynamic = settings.dynamicTools ?? [];
  const names = new Set(dynamic.map((t) => t.name));
  const specs = offered.filter((s) => !("name" in s) || !names.has(s.name));
  for (const tool of dynamic) {
    const handler = dynamicToolHandler(tool);
    handlers.set(tool.name, handler);
    if (handler.spec) specs.push(handler.spec);
  }
  return { specs, handlers };
}

/** The tool call in a finished output item, or null for other items. */
export function toolCallOf(raw: RawItem): ToolCall | null {
  const callId = typeof raw.call_id === "string" ? raw.call_id : null;
  const name = typeof raw.name === "string" ? raw.name : null;
  if (!callId || !name) return null;
  if (raw.type === "function_call") {
    return { kind: "function", name, callId, payload: String(raw.arguments ?? ""), raw };
  }
  if (raw.type === "custom_tool_call") {
    return { kind: "custom", name, callId, payload: String(raw.input ?? ""), raw };
  }
  return null;
}

/** The output item for the model: function outputs may carry content parts, custom ones text. */
export function outputItem(call: ToolCall, output: ToolOutput): RawItem {
  if (call.kind === "custom") {
    const text = typeof output === "string"
      ? output
      : output.map((p) => p.type === "input_text" ? p.text : "[image]").join("\n");
    return { type: "custom_tool_call_output", call_id: call.callId, output: text };
  }
  return { type: "function_call_output", call_id: call.callId, output };
}

/** Runs one call to its output; a handler's failure becomes output the model can act on. */
export async function runToolCall(
  tools: ToolSet,
  call: ToolCall,
  ctx: ToolContext,
): Promise<RawItem> {
  const handler = tools.handlers.get(call.name);
  let output: ToolOutput;
  if (!handler) {
    output = `unsupported call: ${call.name}`;
  } else {
    try {
      output = await handler.handle(call, ctx);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      output = error instanceof ToolInputError ? message : `${call.name} failed: ${message}`;
    }
  }
  return outputItem(call, output);
}
