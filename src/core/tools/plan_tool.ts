/**
 * `update_plan`: the model keeps a short step list; clients see it as `turn/plan/updated`.
 *
 * @module
 */

import type { TurnPlanStep } from "../../protocol/schema/notifications.ts";
import {
  functionSpec,
  optionalString,
  parseArguments,
  type ToolCall,
  type ToolContext,
  type ToolHandler,
  ToolInputError,
} from "./tool_types.ts";

const STATUSES: Record<string, TurnPlanStep["status"]> = {
  pending: "pending",
  in_progress: "inProgress",
  completed: "completed",
};

/** The plan tool. */
export const updatePlanTool: ToolHandler = {
  spec: functionSpec(
    "update_plan",
    "Records the task plan: a list of short steps, each pending, in_progress or completed (at most one in_progress). Call it again whenever a step changes.",
    {
      explanation: { type: "string" },
      plan: {
        type: "array",
        items: {
          type: "object",
          properties: {
            step: { type: "string" },
            status: { type: "string", enum: ["pending", "in_progress", "completed"] },
          },
          required: ["step", "status"],
          additionalProperties: false,
        },
      },
    },
    ["plan"],
  ),
  handle(call: ToolCall, ctx: ToolContext) {
    const args = parseArguments(call);
    if (!Array.isArray(args.plan)) throw new ToolInputError("`plan` must be an array of steps");
    const plan = args.plan.map((s: unknown, i: number) => {
      const step = s as { step?: unknown; status?: unknown };
      const status = typeof step?.status === "string" ? STATUSES[step.status] : undefined;
      if (typeof step?.step !== "string" || !status) {
        throw new ToolInputError(
          `plan[${i}] must be {step: string, status: pending|in_progress|completed}`,
        );
      }
      return { step: step.step, status };
    });
    ctx.host.emit({
      kind: "planUpdated",
      threadId: ctx.thread.id,
      turnId: ctx.turn.id,
      explanation: optionalString(args, "explanation"),
      plan,
    });
    return Promise.resolve("Plan updated");
  },
};
