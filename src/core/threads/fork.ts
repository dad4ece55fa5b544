/**
 * Thread fork (`thread/fork`): a new thread that starts with a copy of another thread's
 * rollout. The new rollout is the source's records (everything after its `session_meta`,
 * timestamps kept) behind a `session_meta` of its own that names the source in
 * `forked_from_id`, so the model history and the rebuilt turns carry over and a later
 * resume of the fork replays them like any other thread. The source is only read.
 *
 * The new file is written whole to a temporary name and renamed into place, so a crash
 * never leaves a half-copied fork that could be listed or resumed.
 *
 * @module
 */

import { dirname } from "node:path";
import { CLI_VERSION } from "../version.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import { readRollout } from "../rollout/rollout_reader.ts";
import {
  formatRecordTimestamp,
  rolloutPathFor,
  type RolloutRecord,
  type SessionMetaPayload,
} from "../rollout/rollout_format.ts";

/** What a fork copies from its source rollout. */
export interface ForkSource {
  path: string;
  meta: SessionMetaPayload;
  /** Every record after the source's `session_meta`, in file order. */
  records: RolloutRecord[];
}

/** Reads a source rollout; `null` when it has no `session_meta` (not a thread). */
export async function readForkSource(path: string): Promise<ForkSource | null> {
  const contents = await readRollout(path);
  if (contents.meta === null) return null;
  // A later `session_meta` (a resumed session of another writer) describes the source, not
  // the fork, so none is copied.
  const records = contents.records.filter((r) => r.type !== "session_meta");
  return { path, meta: contents.meta, records: closeOpenTurn(records) };
}

/**
 * A source forked mid-turn ends with a turn that will never finish in the fork; it is
 * closed with the reference's `turn_aborted` record, so the fork shows it `interrupted`
 * (now and after a resume) instead of forever `inProgress`.
 */
export function closeOpenTurn(records: RolloutRecord[]): RolloutRecord[] {
  let open: string | null = null;
  for (const r of records) {
    if (r.type !== "event_msg") continue;
    const p = r.payload;
    if (p.type === "task_started") open = typeof p.turn_id === "string" ? p.turn_id : null;
    else if (p.type === "task_complete" || p.type === "turn_aborted") open = null;
  }
  if (open === null) return records;
  const last = records[records.length - 1];
  const aborted: RolloutRecord = {
    timestamp: last?.timestamp ?? formatRecordTimestamp(new Date()),
    type: "event_msg",
    payload: { type: "turn_aborted", turn_id: open, reason: "interrupted" },
  };
  return [...records, aborted];
}

/** The fork's own identity and settings. */
export interface ForkIdentity {
  id: string;
  createdAt: Date;
  originator: string;
  cwd: string;
  modelProvider: string;
  baseInstructions: string;
}

/**
 * The fork's `session_meta`: a new thread of this server (source `vscode`, like
 * `thread/start`) that records where it came from. The source's git info is kept, since the
 * fork starts from the same workspace state.
 */
export function forkMeta(source: SessionMetaPayload, fork: ForkIdentity): SessionMetaPayload {
  const meta: SessionMetaPayload = {
    id: fork.id,
    forked_from_id: source.id,
    timestamp: formatRecordTimestamp(fork.createdAt),
    cwd: fork.cwd,
    originator: fork.originator,
    cli_version: CLI_VERSION,
    source: "vscode",
    model_provider: fork.modelProvider,
    base_instructions: { text: fork.baseInstructions },
  };
  if (source.git) meta.git = source.git;
  if (source.dynamic_tools?.length) meta.dynamic_tools = source.dynamic_tools;
  return meta;
}

/**
 * Writes the fork's rollout under `codexHome` (path named by its id and creation time) and
 * returns its path. Atomic: temporary file, fsync, rename.
 */
export async function writeForkRollout(
  codexHome: string,
  meta: SessionMetaPayload,
  records: readonly RolloutRecord[],
): Promise<string> {
  const path = rolloutPathFor(codexHome, new Date(meta.timestamp), meta.id);
  const head: RolloutRecord = { timestamp: meta.timestamp, type: "session_meta", payload: meta };
  const text = [head, ...records].map((r) => JSON.stringify(r) + "\n").join("");
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, text);
  return path;
}
