/**
 * `thread/list` over many stored threads: generates N rollouts (default 1,000 and 10,000) in the
 * reference's on-disk format (`sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl`, each with
 * `session_meta`, a user `response_item` and its `user_message` event, an assistant answer and
 * `task_complete`), then times, over stdio:
 *
 * - phase 1, first start on a home that has never been indexed: the first `thread/list {}`
 *   ("cold, no index": for us this builds the SQLite index, the reference fills its
 *   `state_5.sqlite`), then the median of 20 more; the first `searchTerm` list, then the median
 *   of 20 more;
 * - phase 2, a restart on the same home (index already on disk): the first `thread/list {}` and
 *   the first `searchTerm` list.
 *
 * - then a `thread/start`: the reference opens its `state_5.sqlite` only when a thread starts and
 *   backfills it from the rollouts in the background (until then it lists by walking the files
 *   and ignores `searchTerm`); the bench polls the DB until every thread is in it ("backfill
 *   ms") and times warm searches again ("search after");
 *
 * Every first page is checked against the expected 25 newest threads (default limit, created_at
 * descending), and every search against the expected number of matches (1 thread in 50 has the
 * search word in its first message); "WRONG" in the table names which answers were off.
 * Rollouts use `model_provider = "openai"`: the reference's `thread/list {}` only lists threads
 * of the configured provider.
 *
 * Usage: deno run --allow-all bench/thread_list_bench.ts [--sizes 1000,10000] [--reps 20]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { join } from "node:path";
import { initializeClient, type JsonLineClient, type RpcMessage } from "./_rpc.ts";
import { errorText, fmt, median, print, printTable, runCli } from "./_report.ts";
import { usingServer } from "./_runs.ts";
import { type CommonOptions, resolveServers, type ServerSpec, sleep } from "./_servers.ts";

export interface ThreadListOptions extends CommonOptions {
  sizes?: number[];
  /** Warm repetitions. */
  reps?: number;
}

export interface ThreadListResult {
  name: string;
  threads: number;
  /** Phase 1 (never indexed). */
  coldListMs: number;
  warmListMs: number;
  firstSearchMs: number;
  warmSearchMs: number;
  /** Phase 2 (restart, index on disk). */
  restartListMs: number;
  restartSearchMs: number;
  /** Problems with the answers (wrong first page, wrong match count), or "ok". */
  check: string;
  /** Rows in the reference's `state_5.sqlite` after its backfill ("-" for us). */
  indexedRows: string;
  /** From `thread/start` until the reference's state DB held every thread. */
  backfillMs: number;
  /** Median warm `searchTerm` list after that `thread/start` (and backfill). */
  searchAfterStartMs: number;
  error?: string;
}

const SEARCH_WORD = "needlework";
const SEARCH_EVERY = 50;

/** Runs every size against every server. */
export async function runThreadList(opts: ThreadListOptions = {}): Promise<ThreadListResult[]> {
  const sizes = (opts.sizes ?? [1000, 10_000]).map((n) => Math.max(1, Math.min(n, 100_000)));
  const reps = Math.max(1, Math.min(opts.reps ?? 20, 200));
  const specs = await resolveServers(opts);
  const results: ThreadListResult[] = [];
  for (const size of sizes) {
    const template = await Deno.makeTempDir({ prefix: "codex-bench-threads-" });
    try {
      const expected = await generateRollouts(template, size);
      for (const spec of specs) results.push(await runOne(spec, template, expected, reps));
    } finally {
      await Deno.remove(template, { recursive: true }).catch(() => {});
    }
  }
  return results;
}

interface Expected {
  threads: number;
  /** Ids, newest first. */
  newestFirst: string[];
  searchMatches: number;
}

/** A UUID v7 whose time part is `ms` (what the reference generates for thread ids). */
function uuidV7(ms: number): string {
  const hex = ms.toString(16).padStart(12, "0");
  const rnd = Array.from(
    crypto.getRandomValues(new Uint8Array(10)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const variant = ((parseInt(rnd[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${rnd.slice(0, 3)}-${variant}${rnd.slice(4, 7)}-${
    rnd.slice(7, 19)
  }`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Writes `count` rollouts below `home/sessions`, one minute apart, oldest first. */
export async function generateRollouts(home: string, count: number): Promise<Expected> {
  const base = Date.now() - count * 60_000 - 86_400_000;
  const ids: string[] = [];
  let matches = 0;
  const dirs = new Set<string>();
  const writes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const created = new Date(base + i * 60_000);
    const id = uuidV7(created.getTime());
    ids.push(id);
    const day = join(
      home,
      "sessions",
      String(created.getUTCFullYear()),
      pad(created.getUTCMonth() + 1),
      pad(created.getUTCDate()),
    );
    if (!dirs.has(day)) {
      await Deno.mkdir(day, { recursive: true });
      dirs.add(day);
    }
    const stamp = created.toISOString().slice(0, 19).replaceAll(":", "-");
    const path = join(day, `rollout-${stamp}-${id}.jsonl`);
    const match = i % SEARCH_EVERY === 7;
    if (match) matches++;
    const text = `bench thread ${i}: please ${
      match ? `look at the ${SEARCH_WORD} module` : "refactor the parser"
    } and add tests`;
    writes.push(Deno.writeTextFile(path, rolloutLines(id, created, text)));
    if (writes.length >= 64) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return { threads: count, newestFirst: ids.reverse(), searchMatches: matches };
}

function rolloutLines(id: string, created: Date, text: string): string {
  const ts = (offsetMs: number) => new Date(created.getTime() + offsetMs).toISOString();
  const turnId = uuidV7(created.getTime() + 1);
  const lines = [
    {
      timestamp: ts(5),
      type: "session_meta",
      payload: {
        id,
        timestamp: ts(0),
        cwd: "/work/project",
        originator: "codex_bench",
        cli_version: "0.105.0",
        source: "vscode",
        // The default provider: the reference's `thread/list {}` lists only threads of the
        // configured provider (contrary to "absent means every provider").
        model_provider: "openai",
        base_instructions: { text: "bench instructions" },
        git: {},
      },
    },
    {
      timestamp: ts(6),
      type: "response_item",
      payload: {
        type: "message",
        role: "user",
        content: [{ type: "input_text", text: "<environment_context>x</environment_context>" }],
      },
    },
    {
      timestamp: ts(6),
      type: "event_msg",
      payload: { type: "task_started", turn_id: turnId, model_context_window: 258400 },
    },
    {
      timestamp: ts(6),
      type: "response_item",
      payload: { type: "message", role: "user", content: [{ type: "input_text", text }] },
    },
    {
      timestamp: ts(6),
      type: "event_msg",
      payload: {
        type: "user_message",
        message: text,
        images: [],
        local_images: [],
        text_elements: [],
      },
    },
    {
      timestamp: ts(40),
      type: "event_msg",
      payload: { type: "agent_message", message: "done", phase: null },
    },
    {
      timestamp: ts(40),
      type: "response_item",
      payload: {
        type: "message",
        role: "assistant",
        content: [{ type: "output_text", text: "done" }],
      },
    },
    {
      timestamp: ts(41),
      type: "event_msg",
      payload: { type: "task_complete", turn_id: turnId, last_agent_message: "done" },
    },
  ];
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

async function copyTree(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", `${from}/.`, to] }).output();
  if (!out.success) throw new Error(`cp failed: ${new TextDecoder().decode(out.stderr)}`);
}

async function timed(
  client: JsonLineClient,
  params: Record<string, unknown>,
): Promise<{ ms: number; msg: RpcMessage }> {
  const t0 = performance.now();
  const msg = await client.request("thread/list", params, 180_000);
  return { ms: performance.now() - t0, msg };
}

function listedIds(msg: RpcMessage): string[] {
  if (msg.error) throw new Error(`thread/list failed: ${JSON.stringify(msg.error)}`);
  const data = (msg.result as { data?: Array<{ id?: string }> } | undefined)?.data ?? [];
  return data.map((t) => String(t.id));
}

async function runOne(
  spec: ServerSpec,
  template: string,
  expected: Expected,
  reps: number,
): Promise<ThreadListResult> {
  const result: ThreadListResult = {
    name: spec.name,
    threads: expected.threads,
    coldListMs: NaN,
    warmListMs: NaN,
    firstSearchMs: NaN,
    warmSearchMs: NaN,
    restartListMs: NaN,
    restartSearchMs: NaN,
    check: "ok",
    indexedRows: "-",
    backfillMs: NaN,
    searchAfterStartMs: NaN,
  };
  const problems: string[] = [];
  const checkPage = (what: string, msg: RpcMessage) => {
    const ids = listedIds(msg);
    const want = expected.newestFirst.slice(0, 25);
    if (ids.length !== want.length || ids.some((id, i) => id !== want[i])) {
      const at = ids.findIndex((id, i) => id !== want[i]);
      problems.push(`${what}: ${ids.length} listed, first mismatch at ${at}`);
    }
  };
  const checkSearch = (what: string, msg: RpcMessage) => {
    const n = listedIds(msg).length;
    const data = (msg.result as { data?: Array<{ preview?: string }> }).data ?? [];
    const wrong = data.filter((t) => !String(t.preview).includes(SEARCH_WORD)).length;
    const want = Math.min(25, expected.searchMatches);
    if (n !== want || wrong > 0) {
      problems.push(`${what}: ${n} listed (expected ${want}), ${wrong} without the term`);
    }
  };
  const search = { searchTerm: SEARCH_WORD };
  const home = await Deno.makeTempDir({ prefix: "codex-bench-home-" });
  try {
    await copyTree(template, home);
    const onServer = (fn: (client: JsonLineClient) => Promise<void>) =>
      usingServer(spec, { stdio: true, codexHome: home }, async (server) => {
        await fn(await initializeClient(server));
      });

    // Phase 1: never indexed.
    await onServer(async (client) => {
      const cold = await timed(client, {});
      result.coldListMs = cold.ms;
      checkPage("cold list", cold.msg);
      const warm: number[] = [];
      for (let i = 0; i < reps; i++) warm.push((await timed(client, {})).ms);
      result.warmListMs = median(warm);
      const first = await timed(client, search);
      result.firstSearchMs = first.ms;
      checkSearch("first search", first.msg);
      const warmSearch: number[] = [];
      for (let i = 0; i < reps; i++) warmSearch.push((await timed(client, search)).ms);
      result.warmSearchMs = median(warmSearch);

      // The reference only opens its state DB (and backfills it from the rollouts) once a
      // thread starts; until then it lists by walking the files and ignores `searchTerm`.
      const t0 = performance.now();
      const started = await client.request("thread/start", {}, 60_000);
      if (started.error) throw new Error(`thread/start: ${JSON.stringify(started.error)}`);
      let rows = await countIndexRows(home);
      if (rows !== undefined) {
        while (rows < expected.threads && performance.now() - t0 < 60_000) {
          await sleep(100);
          rows = await countIndexRows(home) ?? 0;
        }
        result.backfillMs = performance.now() - t0;
        result.indexedRows = String(rows);
      }
      const after: number[] = [];
      let last: RpcMessage | undefined;
      for (let i = 0; i < reps; i++) {
        const t = await timed(client, search);
        after.push(t.ms);
        last = t.msg;
      }
      result.searchAfterStartMs = median(after);
      if (last) checkSearch("search after thread/start", last);
    });

    // Phase 2: restart with the index on disk.
    await onServer(async (client) => {
      const list = await timed(client, {});
      result.restartListMs = list.ms;
      checkPage("restart list", list.msg);
      const s = await timed(client, search);
      result.restartSearchMs = s.ms;
      checkSearch("restart search", s.msg);
    });
  } catch (err) {
    result.error = errorText(err);
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
  if (problems.length) result.check = problems.join("; ");
  return result;
}

/**
 * Rows in the reference's `state_5.sqlite` `threads` table; undefined when there is no such
 * file (our server, or the reference before its state DB opened), 0 while it is being created.
 */
async function countIndexRows(home: string): Promise<number | undefined> {
  const path = join(home, "state_5.sqlite");
  try {
    await Deno.stat(path);
  } catch {
    return undefined;
  }
  try {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const row = db.prepare("SELECT COUNT(*) AS n FROM threads").get() as { n?: number };
      return Number(row.n ?? 0);
    } finally {
      db.close();
    }
  } catch {
    return 0; // Still being created or locked.
  }
}

/** Prints the results table. */
export function printThreadList(results: ThreadListResult[], reps = 20): void {
  const title = `thread/list over stored threads (stdio), ms; warm = median of ${reps}; ` +
    `search term matches 1 thread in ${SEARCH_EVERY}`;
  printTable(title, results, [
    ["server", (r) => r.name],
    ["threads", (r) => String(r.threads)],
    ["cold list", (r) => fmt(r.coldListMs, 1)],
    ["warm list", (r) => fmt(r.warmListMs, 2)],
    ["1st search", (r) => fmt(r.firstSearchMs, 1)],
    ["warm search", (r) => fmt(r.warmSearchMs, 2)],
    ["backfill ms", (r) => fmt(r.backfillMs, 0)],
    ["search after", (r) => fmt(r.searchAfterStartMs, 2)],
    ["restart list", (r) => fmt(r.restartListMs, 1)],
    ["restart search", (r) => fmt(r.restartSearchMs, 1)],
    ["state_5 rows", (r) => r.indexedRows],
    ["answers", (r) => r.error ? "error" : r.check === "ok" ? "ok" : "WRONG"],
  ]);
  for (const r of results) {
    if (r.check !== "ok") print(`  ${r.name} ${r.threads}: ${r.check}`);
    if (r.error) print(`  ${r.name} ${r.threads}: ERROR ${r.error}`);
  }
}

/** `--reps`, also needed by the table's title (hence not just left to `runThreadList`). */
function warmReps(flag: string | undefined): number {
  return flag ? Number(flag) : 20;
}

if (import.meta.main) {
  await runCli(
    { sizes: { type: "string" }, reps: { type: "string" } },
    (values, common) =>
      runThreadList({
        ...common,
        sizes: values.sizes?.split(",").map(Number),
        reps: warmReps(values.reps),
      }),
    (results, values) => printThreadList(results, warmReps(values.reps)),
  );
}
