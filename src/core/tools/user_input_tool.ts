/**
 * `request_user_input`: in plan mode the model may ask the user questions; the client
 * answers through `item/tool/requestUserInput` and the answers go back as JSON.
 *
 * @module
 */

import { ToolRequestUserInputResponse } from "../../protocol/schema/server_requests.ts";
import { askClients } from "./client_asks.ts";
import {
  functionSpec,
  parseArguments,
  type ToolCall,
  type ToolContext,
  type ToolHandler,
  ToolInputError,
} from "./tool_types.ts";

/** The user-input tool; offered only outside the Default collaboration mode. */
export const requestUserInputTool: ToolHandler = {
  spec: functionSpec(
    "request_user_input",
    "Asks the user one or more short questions and waits for the answers. Use only when you cannot proceed without the user's choice.",
    {
      questions: {
        type: "array",
        items: {
          type: "object",
          properties: {
            id: { type: "string" },
            header: { type: "string" },
            question: { type: "string" },
            options: {
              type: "array",
              items: {
                type: "object",
                properties: { label: { type: "string" }, description: { type: "string" } },
                required: ["label", "description"],
                additionalProperties: false,
              },
            },
          },
          required: ["id", "header", "question"],
          additionalProperties: false,
        },
      },
    },
    ["questions"],
  ),
  async handle(call: ToolCall, ctx: ToolContext) {
    const mode = ctx.thread.settings.collaborationMode ?? "default";
    if (mode === "default") return "request_user_input is unavailable in Default mode";
    const args = parseArguments(call);
    if (!Array.isArray(args.questions) || args.questions.length === 0) {
      throw new ToolInputError("`questions` must be a non-empty array");
    }
    const questions = args.questions.map((q: Record<string, unknown>, i: number) => {
      if (typeof q?.id !== "string" || typeof q.question !== "string") {
        throw new ToolInputError(`questions[${i}] needs string \`id\` and \`question\``);
      }
      return {
        id: q.id,
        header: typeof q.header === "string" ? q.header : "",
        question: q.question,
        isOther: q.isOther === true,
        isSecret: q.isSecret === true,
        options: Array.isArray(q.options) ? q.options : null,
      };
    });
    const reply = await askClients(ctx, "item/tool/requestUserInput", {
      threadId: ctx.thread.id,
      turnId: ctx.turn.id,
      itemId: call.callId,
      questions,
    }, "userInput");
    if (reply.kind === "error") return `request_user_input failed: ${reply.message}`;
    if (reply.kind === "cancelled") return `request_user_input got no answer: ${reply.reason}`;
    const parsed = ToolRequestUserInputResponse.safeParse(reply.result);
    if (!parsed.success) return "request_user_input failed: the client's answer could not be read";
    return JSON.stringify(parsed.data);
  },
};
