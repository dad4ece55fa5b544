/**
 * `view_image`: the model looks at a local image; clients see an `imageView` item.
 *
 * @module
 */

import { completeItem, startItem } from "./tool_items.ts";
import { localImagePart } from "../threads/user_input.ts";
import { resolvePath } from "./paths.ts";
import {
  functionSpec,
  parseArguments,
  requiredString,
  type ToolCall,
  type ToolContext,
  type ToolHandler,
} from "./tool_types.ts";

/** The image tool. */
export const viewImageTool: ToolHandler = {
  spec: functionSpec(
    "view_image",
    "Shows you a local image file (png, jpeg, gif or webp) by path.",
    { path: { type: "string", description: "Path of the image file." } },
    ["path"],
  ),
  async handle(call: ToolCall, ctx: ToolContext) {
    const path = resolvePath(ctx.thread.settings.cwd, requiredString(parseArguments(call), "path"));
    const part = await localImagePart(path, ctx.thread.settings.cwd);
    if (part.type !== "input_image") return String(part.text);
    const item = { type: "imageView", id: call.callId, path };
    startItem(ctx, item);
    completeItem(ctx, item, {});
    return [{ type: "input_image", image_url: String(part.image_url) }];
  },
};
