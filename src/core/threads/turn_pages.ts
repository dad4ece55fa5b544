/**
 * Paging of `thread/turns/list` (0.169): turns newest first by default, an opaque cursor
 * that continues after the last turn of a page, and a backwards cursor that, used with the
 * opposite direction, starts again at the page's first turn (so a client can re-read an
 * anchor turn that may still be changing).
 *
 * @module
 */

import type { Turn } from "../../protocol/schema/thread.ts";
import type { SortDirection, TurnItemsView } from "../../protocol/schema/thread_methods.ts";

/** A cursor that cannot be decoded or names a turn the thread does not have. */
export class TurnCursorError extends Error {
  constructor(cursor: string) {
    super(`invalid cursor: ${cursor}`);
    this.name = "TurnCursorError";
  }
}

/** One page and the cursors around it. */
export interface TurnPage {
  data: Turn[];
  nextCursor: string | null;
  backwardsCursor: string | null;
}

interface Anchor {
  turnId: string;
  /** Whether the page starts at the anchor itself rather than after it. */
  inclusive: boolean;
}

function encode(anchor: Anchor): string {
  return btoa(JSON.stringify(anchor));
}

function decode(cursor: string): Anchor {
  try {
    const value = JSON.parse(atob(cursor));
    if (typeof value?.turnId === "string" && typeof value?.inclusive === "boolean") return value;
  } catch {
    // reported below
  }
  throw new TurnCursorError(cursor);
}

/**
 * The items a view keeps: none, the summary (the user's messages and the last agent
 * message, what a thread list shows of a turn), or all of them.
 */
function viewItems(turn: Turn, view: TurnItemsView): Turn {
  if (view === "full") return turn;
  if (view === "notLoaded") return { ...turn, items: [] };
  const lastAgent = turn.items.findLast((i) => i.type === "agentMessage");
  const items = turn.items.filter((i) => i.type === "userMessage" || i === lastAgent);
  return { ...turn, items };
}

/** One page of `turns` (oldest first) in `order`, after or at the cursor's anchor. */
export function pageTurns(
  turns: Turn[],
  opts: {
    cursor?: string | null;
    limit?: number | null;
    order: SortDirection;
    view: TurnItemsView;
  },
): TurnPage {
  const ordered = opts.order === "asc" ? turns : [...turns].reverse();
  let start = 0;
  if (opts.cursor) {
    const anchor = decode(opts.cursor);
    const at = ordered.findIndex((t) => t.id === anchor.turnId);
    if (at === -1) throw new TurnCursorError(opts.cursor);
    start = anchor.inclusive ? at : at + 1;
  }
  const limit = opts.limit === null || opts.limit === undefined
    ? ordered.length
    : Math.max(opts.limit, 1);
  const page = ordered.slice(start, start + limit);
  const last = page.at(-1);
  const more = start + page.length < ordered.length;
  return {
    data: page.map((t) => viewItems(t, opts.view)),
    nextCursor: more && last ? encode({ turnId: last.id, inclusive: false }) : null,
    backwardsCursor: page[0] ? encode({ turnId: page[0].id, inclusive: true }) : null,
  };
}
