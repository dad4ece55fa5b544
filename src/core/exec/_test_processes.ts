/**
 * Test helpers that find processes by a marker in their command line, read from `/proc`
 * directly so the tests need no `pgrep`/`pkill` (absent from slim images). Zombies count as
 * gone: what matters is that the process was killed.
 *
 * @module
 */

/** Pids of live processes whose command line contains `marker` (this process excluded). */
export function pidsMatching(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
      if (!cmdline.includes(marker)) continue;
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      // The state follows the parenthesised command name: `pid (comm) S ...`.
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state !== "Z" && state !== "X") pids.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Whether a process whose command line contains `marker` is alive. A kill takes a moment to
 * land, so matches get up to `settleMs` to disappear before the answer is yes.
 */
export async function alive(marker: string, settleMs = 500): Promise<boolean> {
  const deadline = Date.now() + settleMs;
  while (pidsMatching(marker).length > 0) {
    if (Date.now() > deadline) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** Kills (SIGKILL) every process whose command line contains `marker`. */
export function killMatching(marker: string): void {
  for (const pid of pidsMatching(marker)) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
