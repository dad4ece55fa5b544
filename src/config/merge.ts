/**
 * Plain-data operations on TOML tables: the layer merge, key-path access and the leaf walk
 * behind `origins`. Tables are copied rather than shared so that a later `setPath` on a merge
 * result can never reach back into a layer's own table.
 *
 * @module
 */

import type { TomlDateTime, TomlTable, TomlValue } from "./types.ts";

/** True for a TOML table (not an array, not a date/time). */
export function isTomlTable(v: TomlValue | undefined | null): v is TomlTable {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isTomlDateTime(v);
}

/** True for a TOML date/time kept as text. */
export function isTomlDateTime(v: TomlValue | undefined | null): v is TomlDateTime {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.hasOwn(v, "$__toml_private_datetime");
}

/**
 * Sets an own, enumerable property. Plain assignment would treat a key named `__proto__`
 * (legal in TOML) as a prototype change instead of data.
 */
export function setOwn(table: TomlTable, key: string, value: TomlValue): void {
  Object.defineProperty(table, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** A deep copy of tables and arrays; scalars and date/times are immutable and shared. */
export function cloneValue<T extends TomlValue>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneValue) as T;
  if (isTomlTable(v)) {
    const out: TomlTable = {};
    for (const [k, inner] of Object.entries(v)) setOwn(out, k, cloneValue(inner));
    return out as T;
  }
  return v;
}

/**
 * The layer merge: where both sides hold a table the merge recurses; anywhere else the overlay
 * value replaces the base value (arrays are replaced, never concatenated, and a scalar may
 * replace a table or the other way round). Inputs are never mutated.
 */
export function mergeTables(base: TomlTable, overlay: TomlTable): TomlTable {
  const out = cloneValue(base);
  mergeInto(out, overlay);
  return out;
}

function mergeInto(target: TomlTable, overlay: TomlTable): void {
  for (const [k, v] of Object.entries(overlay)) {
    const existing = Object.hasOwn(target, k) ? target[k] : undefined;
    if (isTomlTable(existing) && isTomlTable(v)) mergeInto(existing, v);
    else setOwn(target, k, cloneValue(v));
  }
}

/** The value at `path`, or undefined when any step is missing or not a table. */
export function getPath(table: TomlTable, path: readonly string[]): TomlValue | undefined {
  let cur: TomlValue = table;
  for (const key of path) {
    if (!isTomlTable(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = cur[key]!;
  }
  return cur;
}

/**
 * Sets the value at `path`, creating tables on the way and replacing any non-table in the
 * way (that is how `-c a=2 -c a.b=1` ends as `a = {b = 1}`). `undefined` deletes the key.
 * An empty path does nothing: the root itself cannot be replaced in place.
 */
export function setPath(
  table: TomlTable,
  path: readonly string[],
  value: TomlValue | undefined,
): void {
  if (path.length === 0) return;
  let cur = table;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(cur, key) ? cur[key] : undefined;
    if (isTomlTable(next)) {
      cur = next;
      continue;
    }
    if (value === undefined) return;
    const created: TomlTable = {};
    setOwn(cur, key, created);
    cur = created;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else setOwn(cur, last, value);
}

/**
 * Every leaf with its key path as segments. Like the reference's `origins`, array elements
 * are walked with their index as a segment (`arr.0`, `arr.2.0`), and empty tables and arrays
 * have no leaves at all.
 */
export function leafSegments(table: TomlTable): Array<{ path: string[]; value: TomlValue }> {
  const out: Array<{ path: string[]; value: TomlValue }> = [];
  const walk = (v: TomlValue, path: string[]) => {
    if (isTomlTable(v)) {
      for (const [k, inner] of Object.entries(v)) walk(inner, [...path, k]);
    } else if (Array.isArray(v)) {
      v.forEach((inner, i) => walk(inner, [...path, String(i)]));
    } else out.push({ path, value: v });
  };
  walk(table, []);
  return out;
}

/** {@linkcode leafSegments} with the segments joined by `.` as the reference does. */
export function leafPaths(table: TomlTable): Array<{ path: string; value: TomlValue }> {
  return leafSegments(table).map(({ path, value }) => ({ path: path.join("."), value }));
}
