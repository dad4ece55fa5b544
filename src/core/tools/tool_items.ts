/**
 * The start and end of a tool's item. While it runs, the item is part of the running turn,
 * so a client attaching mid-turn (`thread/resume`) sees it and can place the deltas and the
 * `item/completed` that follow.
 *
 * @module
 */

import type { ThreadItem } from "../../protocol/schema/items.ts";
import type { ToolContext } from "./tool_types.ts";

type Item = Record<string, unknown>;

/** Emits `item/started` and shows the item in snapshots of the running turn. */
export function startItem(ctx: ToolContext, item: Item): void {
  ctx.thread.active?.running.set(item.id as string, item);
  ctx.host.emit({
    kind: "itemStarted",
    threadId: ctx.thread.id,
    turnId: ctx.turn.id,
    item: item as unknown as ThreadItem,
  });
}

/**
 * Emits `item/completed` for `item` with `fields`, and records it in its turn. A background
 * command may end after its turn: then `turnId` names that earlier turn.
 */
export function completeItem(
  ctx: ToolContext,
  item: Item,
  fields: Item,
  turnId = ctx.turn.id,
): void {
  const done = { ...item, ...fields } as unknown as ThreadItem;
  if (turnId === ctx.turn.id) {
    ctx.thread.active?.running.delete(item.id as string);
    ctx.turn.items.push(done);
  }
  ctx.host.emit({ kind: "itemCompleted", threadId: ctx.thread.id, turnId, item: done });
}
