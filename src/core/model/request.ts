/**
 * Builds the JSON body of `POST /responses` from a description of the prompt.
 *
 * The key order and the presence rules follow what Codex 0.105.0 was observed to send
 * (captured against a loopback provider): `reasoning` is always present (null when the model
 * gets no reasoning settings), `include` is always present (empty unless reasoning is on),
 * `store` is false because the server keeps no state for us, and `text` appears only when
 * there is a verbosity or an output schema. Keeping the same shape keeps provider-side
 * prompt caching and any strict proxies behaving the same for both implementations.
 *
 * @module
 */

import type { ReasoningEffort, ReasoningSummary } from "../../protocol/schema/turn.ts";
import type { Verbosity } from "../../protocol/schema/config.ts";
import type { RawItem } from "./events.ts";
import { pairToolCalls } from "./call_pairs.ts";

/** A function tool: JSON arguments checked against a JSON Schema. */
export interface FunctionToolSpec {
  type: "function";
  name: string;
  description: string;
  /** Strict mode makes the provider enforce the schema; the reference leaves it off. */
  strict?: boolean;
  parameters: Record<string, unknown>;
}

/** A freeform tool whose input is raw text, optionally constrained by a grammar. */
export interface CustomToolSpec {
  type: "custom";
  name: string;
  description: string;
  format?: { type: "grammar"; syntax: "lark" | "regex"; definition: string } | { type: "text" };
}

/** The provider-hosted web search tool. */
export interface WebSearchToolSpec {
  type: "web_search";
  external_web_access?: boolean;
}

/** Any tool the request can declare. */
export type ToolSpec = FunctionToolSpec | CustomToolSpec | WebSearchToolSpec;

/** What one model call should see. */
export interface PromptSpec {
  model: string;
  /** The base instructions (system prompt). */
  instructions: string;
  /** History and new input, already in Responses item shape. */
  input: RawItem[];
  tools?: ToolSpec[];
  /** Only models that support it should get `true`; the default is the reference's `false`. */
  parallelToolCalls?: boolean;
  /** Null or absent: no reasoning settings (models without reasoning support). */
  reasoning?: { effort?: ReasoningEffort | null; summary?: ReasoningSummary | null } | null;
  /** The thread id, so consecutive turns of a thread hit the provider's prompt cache. */
  promptCacheKey?: string | null;
  verbosity?: Verbosity | null;
  /** A JSON Schema the final answer must match (`turn/start` `outputSchema`). */
  outputSchema?: Record<string, unknown> | null;
}

/** The request body, in wire key order. */
export interface ResponsesRequestBody {
  model: string;
  instructions: string;
  input: RawItem[];
  tools: ToolSpec[];
  tool_choice: "auto";
  parallel_tool_calls: boolean;
  reasoning: { effort?: ReasoningEffort; summary?: ReasoningSummary } | null;
  store: false;
  stream: true;
  include: string[];
  prompt_cache_key?: string;
  text?: {
    verbosity?: Verbosity;
    format?: { type: "json_schema"; strict: true; schema: Record<string, unknown>; name: string };
  };
}

/** Name the reference gives the output schema; providers show it in errors. */
export const OUTPUT_SCHEMA_NAME = "codex_output_schema";

/** Builds the body; pure, so it is easy to compare with a captured reference request. */
export function buildResponsesRequest(spec: PromptSpec): ResponsesRequestBody {
  const reasoning = spec.reasoning ? reasoningOf(spec.reasoning) : null;
  const body: ResponsesRequestBody = {
    model: spec.model,
    instructions: spec.instructions,
    input: pairToolCalls(spec.input).map(requestItem),
    tools: (spec.tools ?? []).map(toolOf),
    tool_choice: "auto",
    parallel_tool_calls: spec.parallelToolCalls ?? false,
    reasoning,
    store: false,
    stream: true,
    include: reasoning ? ["reasoning.encrypted_content"] : [],
  };
  if (spec.promptCacheKey) body.prompt_cache_key = spec.promptCacheKey;
  const text: NonNullable<ResponsesRequestBody["text"]> = {};
  if (spec.verbosity) text.verbosity = spec.verbosity;
  if (spec.outputSchema) {
    text.format = {
      type: "json_schema",
      strict: true,
      schema: spec.outputSchema,
      name: OUTPUT_SCHEMA_NAME,
    };
  }
  if (text.verbosity || text.format) body.text = text;
  return body;
}

function reasoningOf(
  r: NonNullable<PromptSpec["reasoning"]>,
): NonNullable<ResponsesRequestBody["reasoning"]> {
  const out: NonNullable<ResponsesRequestBody["reasoning"]> = {};
  if (r.effort) out.effort = r.effort;
  if (r.summary && r.summary !== "none") out.summary = r.summary;
  return out;
}

function toolOf(tool: ToolSpec): ToolSpec {
  switch (tool.type) {
    case "function":
      return {
        type: "function",
        name: tool.name,
        description: tool.description,
        strict: tool.strict ?? false,
        parameters: tool.parameters,
      };
    case "custom":
      return tool.format
        ? { type: "custom", name: tool.name, description: tool.description, format: tool.format }
        : { type: "custom", name: tool.name, description: tool.description };
    case "web_search":
      return { type: "web_search", external_web_access: tool.external_web_access ?? false };
  }
}

/**
 * The form of a history item that goes back to the provider. With `store: false` the
 * provider keeps nothing, so item ids it issued earlier refer to nothing and are dropped, as
 * the reference does; message content keeps only the fields the input schema accepts (no
 * `annotations` or `logprobs` from earlier outputs).
 */
export function requestItem(item: RawItem): RawItem {
  const { id: _id, ...rest } = item;
  if (rest.type === "message" && Array.isArray(rest["content"])) {
    rest["content"] = (rest["content"] as Record<string, unknown>[]).map(contentPart);
  }
  return rest as RawItem;
}

function contentPart(part: Record<string, unknown>): Record<string, unknown> {
  switch (part["type"]) {
    case "input_text":
    case "output_text":
      return { type: part["type"], text: part["text"] };
    case "input_image":
      return { type: "input_image", image_url: part["image_url"] };
    default:
      return part;
  }
}
