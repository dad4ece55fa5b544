/**
 * Keeps tool calls and their outputs paired in what is sent to the model. The Responses API
 * refuses an input with a call that has no output (or an output without its call); a server
 * killed while a tool ran leaves exactly that in the rollout, and a resumed thread must
 * still be able to continue. A missing output is filled in as "aborted"; a lone output is
 * dropped.
 *
 * @module
 */

import type { RawItem } from "./events.ts";

const CALLS: Record<string, string> = {
  function_call: "function_call_output",
  custom_tool_call: "custom_tool_call_output",
  local_shell_call: "function_call_output",
};
const OUTPUTS = new Set(["function_call_output", "custom_tool_call_output"]);

/** What the model is told for a call whose output never arrived. */
export const ABORTED_OUTPUT = "aborted: the tool call did not finish";

function callIdOf(item: RawItem): string | null {
  return typeof item.call_id === "string" ? item.call_id : null;
}

/** `items` with every call answered and every output matched to a call, order kept. */
export function pairToolCalls(items: readonly RawItem[]): RawItem[] {
  const outputType = (item: RawItem) => CALLS[item.type];
  const calls = new Set<string>();
  const outputs = new Set<string>();
  for (const item of items) {
    const id = callIdOf(item);
    if (id === null) continue;
    if (outputType(item)) calls.add(id);
    if (OUTPUTS.has(item.type)) outputs.add(id);
  }
  let changed = false;
  const out: RawItem[] = [];
  for (const item of items) {
    const id = callIdOf(item);
    if (id !== null && OUTPUTS.has(item.type) && !calls.has(id)) {
      changed = true;
      continue;
    }
    out.push(item);
    const answer = outputType(item);
    if (id !== null && answer && !outputs.has(id)) {
      changed = true;
      out.push({ type: answer, call_id: id, output: ABORTED_OUTPUT });
    }
  }
  return changed ? out : [...items];
}
