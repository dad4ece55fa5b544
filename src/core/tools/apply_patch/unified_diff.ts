/**
 * Line-based unified diff (hunks only, no file headers), used for the per-file diffs of a
 * `fileChange` item and the turn's aggregated diff. Uses Myers' linear-space O(ND) algorithm
 * after discarding lines that occur on only one side, so large files stay fast.
 *
 * @module
 */

interface Side {
  /** Each line's text, without its newline. */
  lines: string[];
  /** Whether the last line has no terminating newline. */
  missingNewline: boolean;
}

function splitLines(text: string): Side {
  if (text === "") return { lines: [], missingNewline: false };
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") {
    lines.pop();
    return { lines, missingNewline: false };
  }
  return { lines, missingNewline: true };
}

/** Interns lines so comparisons are integer compares; a last line lacking "\n" is distinct. */
function intern(side: Side, table: Map<string, number>): Int32Array {
  const ids = new Int32Array(side.lines.length);
  side.lines.forEach((line, i) => {
    const key = side.missingNewline && i === side.lines.length - 1 ? line : `${line}\n`;
    let id = table.get(key);
    if (id === undefined) {
      id = table.size;
      table.set(key, id);
    }
    ids[i] = id;
  });
  return ids;
}

/**
 * Marks the lines of `a` that are deleted and of `b` that are inserted in a shortest edit
 * script. Operates on sub-ranges and recurses on the middle snake.
 */
class Differ {
  constructor(
    private readonly a: Int32Array,
    private readonly b: Int32Array,
    readonly delA: Uint8Array,
    readonly insB: Uint8Array,
  ) {}

  run(aLo: number, aHi: number, bLo: number, bHi: number): void {
    const { a, b } = this;
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
      aLo++;
      bLo++;
    }
    while (aLo < aHi && bLo < bHi && a[aHi - 1] === b[bHi - 1]) {
      aHi--;
      bHi--;
    }
    if (aLo === aHi) {
      this.insB.fill(1, bLo, bHi);
      return;
    }
    if (bLo === bHi) {
      this.delA.fill(1, aLo, aHi);
      return;
    }
    const split = this.middleSnake(aLo, aHi, bLo, bHi);
    if (split === null) {
      this.delA.fill(1, aLo, aHi);
      this.insB.fill(1, bLo, bHi);
      return;
    }
    this.run(aLo, aLo + split[0], bLo, bLo + split[1]);
    this.run(aLo + split[0], aHi, bLo + split[1], bHi);
  }

  /** Finds where forward and backward furthest-reaching paths overlap (offsets in the range). */
  private middleSnake(aLo: number, aHi: number, bLo: number, bHi: number): [number, number] | null {
    const { a, b } = this;
    const n = aHi - aLo;
    const m = bHi - bLo;
    const maxD = Math.ceil((n + m) / 2);
    const offset = maxD;
    const size = 2 * maxD + 2;
    const v1 = new Int32Array(size).fill(-1);
    const v2 = new Int32Array(size).fill(-1);
    v1[offset + 1] = 0;
    v2[offset + 1] = 0;
    const delta = n - m;
    const front = delta % 2 !== 0;
    let k1start = 0, k1end = 0, k2start = 0, k2end = 0;
    for (let d = 0; d < maxD; d++) {
      for (let k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
        const k1Offset = offset + k1;
        let x1: number;
        if (k1 === -d || (k1 !== d && v1[k1Offset - 1]! < v1[k1Offset + 1]!)) {
          x1 = v1[k1Offset + 1]!;
        } else {
          x1 = v1[k1Offset - 1]! + 1;
        }
        let y1 = x1 - k1;
        while (x1 < n && y1 < m && a[aLo + x1] === b[bLo + y1]) {
          x1++;
          y1++;
        }
        v1[k1Offset] = x1;
        if (x1 > n) {
          k1end += 2;
        } else if (y1 > m) {
          k1start += 2;
        } else if (front) {
          const k2Offset = offset + delta - k1;
          if (k2Offset >= 0 && k2Offset < size && v2[k2Offset] !== -1) {
            if (x1 >= n - v2[k2Offset]!) return [x1, y1];
          }
        }
      }
      for (let k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
        const k2Offset = offset + k2;
        let x2: number;
        if (k2 === -d || (k2 !== d && v2[k2Offset - 1]! < v2[k2Offset + 1]!)) {
          x2 = v2[k2Offset + 1]!;
        } else {
          x2 = v2[k2Offset - 1]! + 1;
        }
        let y2 = x2 - k2;
        while (x2 < n && y2 < m && a[aHi - 1 - x2] === b[bHi - 1 - y2]) {
          x2++;
          y2++;
        }
        v2[k2Offset] = x2;
        if (x2 > n) {
          k2end += 2;
        } else if (y2 > m) {
          k2start += 2;
        } else if (!front) {
          const k1Offset = offset + delta - k2;
          if (k1Offset >= 0 && k1Offset < size && v1[k1Offset] !== -1) {
            const x1 = v1[k1Offset]!;
            const y1 = offset + x1 - k1Offset;
            if (x1 >= n - x2) return [x1, y1];
          }
        }
      }
    }
    return null;
  }
}

/** Computes deleted/inserted flags for every line of both sides. */
function diffFlags(a: Int32Array, b: Int32Array): { delA: Uint8Array; insB: Uint8Array } {
  const delA = new Uint8Array(a.length);
  const insB = new Uint8Array(b.length);
  // Lines present on only one side can never match: mark them and diff the rest.
  const inA = new Set(a);
  const inB = new Set(b);
  const keepA: number[] = [];
  const keepB: number[] = [];
  a.forEach((id, i) => inB.has(id) ? keepA.push(i) : (delA[i] = 1));
  b.forEach((id, j) => inA.has(id) ? keepB.push(j) : (insB[j] = 1));
  const subA = Int32Array.from(keepA, (i) => a[i]!);
  const subB = Int32Array.from(keepB, (j) => b[j]!);
  const differ = new Differ(subA, subB, new Uint8Array(subA.length), new Uint8Array(subB.length));
  differ.run(0, subA.length, 0, subB.length);
  keepA.forEach((i, k) => {
    if (differ.delA[k]) delA[i] = 1;
  });
  keepB.forEach((j, k) => {
    if (differ.insB[k]) insB[j] = 1;
  });
  return { delA, insB };
}

type Op = { kind: " " | "-" | "+"; ai: number; bi: number };

function formatRange(start: number, length: number): string {
  // GNU convention: an empty range names the line before it; a single line omits the length.
  if (length === 0) return `${start},0`;
  if (length === 1) return `${start + 1}`;
  return `${start + 1},${length}`;
}

/**
 * Unified diff hunks turning `oldText` into `newText` with `context` lines around each
 * change; the empty string when the texts are equal.
 */
export function unifiedDiff(oldText: string, newText: string, context = 3): string {
  if (oldText === newText) return "";
  const oldSide = splitLines(oldText);
  const newSide = splitLines(newText);
  const table = new Map<string, number>();
  const a = intern(oldSide, table);
  const b = intern(newSide, table);
  const { delA, insB } = diffFlags(a, b);

  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && delA[i]) ops.push({ kind: "-", ai: i++, bi: j });
    else if (j < b.length && insB[j]) ops.push({ kind: "+", ai: i, bi: j++ });
    else ops.push({ kind: " ", ai: i++, bi: j++ });
  }

  const ctx = Math.max(0, context);
  const out: string[] = [];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.kind === " ") k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - ctx);
    // Extend through changes whose gap of unchanged lines is small enough to merge.
    let end = k;
    let scan = k;
    while (scan < ops.length) {
      if (ops[scan]!.kind !== " ") {
        end = scan + 1;
        scan++;
        continue;
      }
      if (scan - end >= 2 * ctx) break;
      scan++;
    }
    // Trailing context stops at the end of the file.
    const stop = Math.min(ops.length, end + ctx);
    const hunk = ops.slice(start, stop);
    const first = hunk[0]!;
    const oldLen = hunk.filter((o) => o.kind !== "+").length;
    const newLen = hunk.filter((o) => o.kind !== "-").length;
    out.push(`@@ -${formatRange(first.ai, oldLen)} +${formatRange(first.bi, newLen)} @@\n`);
    for (const op of hunk) {
      const text = op.kind === "+" ? newSide.lines[op.bi]! : oldSide.lines[op.ai]!;
      out.push(`${op.kind}${text}\n`);
      const oldLast = op.kind !== "+" && oldSide.missingNewline && op.ai === a.length - 1;
      const newLast = op.kind !== "-" && newSide.missingNewline && op.bi === b.length - 1;
      if (oldLast || newLast) out.push("\\ No newline at end of file\n");
    }
    k = stop;
  }
  return out.join("");
}
