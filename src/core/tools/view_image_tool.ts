/**
 * `view_image`: the model looks at a local image; clients see an `imageView` item.
 *
 * @module
 */

import type { ThreadItem } from "../../protocol/schema/items.ts";
import { localImagePart } from "../threads/user_input.ts";
import { resolvePath } from "./paths.ts";
import {
  parseArguments,
  requiredString,
  type ToolCall,
  type ToolContext,
  type ToolHandler,
} from "./tool_types.ts";

/** The image tool. */
export const viewImageTool: ToolHandler = {
  spec: {
    type: "function",
    name: "view_image",
    description: "Shows you a local image file (png, jpeg, gif or webp) by path.",
    strict: false,
    parameters: {
      type: "object",
      properties: { path: { type: "string", description: "Path of the image file." } },
      required: ["path"],
      additionalProperties: false,
    },
  },
  async handle(call: ToolCall, ctx: ToolContext) {
    const path = resolvePath(ctx.thread.settings.cwd, requiredString(parseArguments(call), "path"));
    const part = await localImagePart(path, ctx.thread.settings.cwd);
    if (part.type !== "input_image") return String(part.text);
    const item = { type: "imageView", id: call.callId, path } as ThreadItem;
    const base = { threadId: ctx.thread.id, turnId: ctx.turn.id, item };
    ctx.host.emit({ kind: "itemStarted", ...base });
    ctx.host.emit({ kind: "itemCompleted", ...base });
    ctx.turn.items.push(item);
    return [{ type: "input_image", image_url: String(part.image_url) }];
  },
};
