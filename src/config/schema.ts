/**
 * Validation of a config table against the typed config of Codex 0.105.0. Messages follow the
 * reference's serde wording; unlike the reference, every problem is collected and only the
 * invalid values are dropped, so all valid settings survive.
 *
 * @module
 */

import type { ConfigProblem, ConfigProblemKind, TomlTable, TomlValue } from "./types.ts";
import { CONFIG_TOML, CONFIG_TOP_LEVEL_KEYS, type Spec } from "./schema_keys.ts";
import { formatKeyPath, type KeySegment } from "./toml_spans.ts";

/** The known top-level keys, for `config/read` ordering and `--strict`. */
export const KNOWN_TOP_LEVEL_KEYS: readonly string[] = CONFIG_TOP_LEVEL_KEYS;

/**
 * Top-level keys `config/read` always reports, in the reference's order (null when unset);
 * every other key of the merged config follows verbatim.
 */
export const CONFIG_READ_KEYS = [
  "model",
  "review_model",
  "model_context_window",
  "model_auto_compact_token_limit",
  "model_provider",
  "approval_policy",
  "sandbox_mode",
  "sandbox_workspace_write",
  "forced_chatgpt_workspace_id",
  "forced_login_method",
  "web_search",
  "tools",
  "profile",
  "profiles",
  "instructions",
  "developer_instructions",
  "compact_prompt",
  "model_reasoning_effort",
  "model_reasoning_summary",
  "model_verbosity",
  "analytics",
  "apps",
] as const;

/** Validates a table; returns every problem and the table without its invalid values. */
export function validateConfig(
  table: TomlTable,
): { problems: ConfigProblem[]; sanitized: TomlTable } {
  const problems: ConfigProblem[] = [];
  const out = check(CONFIG_TOML, table, [], problems);
  return { problems, sanitized: out === INVALID ? {} : out as TomlTable };
}

/** Marks a value to leave out of the sanitized table. */
const INVALID: unique symbol = Symbol("invalid");
type Checked = TomlValue | typeof INVALID;

function report(
  problems: ConfigProblem[],
  path: readonly KeySegment[],
  message: string,
  kind: ConfigProblemKind = "type",
): typeof INVALID {
  problems.push({ kind, file: null, range: null, keyPath: formatKeyPath(path), message });
  return INVALID;
}

function isTable(v: TomlValue): v is TomlTable {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    !("$__toml_private_datetime" in v);
}

function isDate(v: TomlValue): boolean {
  return typeof v === "object" && v !== null && "$__toml_private_datetime" in v;
}

function isInteger(v: TomlValue): v is number | bigint {
  return typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v));
}

/** Serde's description of the value it did not expect. */
export function describeUnexpected(v: TomlValue): string {
  if (typeof v === "string") return `string ${rustDebugString(v)}`;
  if (typeof v === "boolean") return `boolean \`${v}\``;
  if (isInteger(v)) return `integer \`${BigInt(v)}\``;
  if (typeof v === "number") return `floating point \`${rustFloat(v)}\``;
  if (Array.isArray(v)) return "sequence";
  return "map";
}

function invalidType(
  problems: ConfigProblem[],
  path: KeySegment[],
  v: TomlValue,
  exp: string,
): typeof INVALID {
  return report(problems, path, `invalid type: ${describeUnexpected(v)}, expected ${exp}`);
}

/** A string as Rust's `{:?}` prints it. */
function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\0") out += "\\0";
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

/** A float as Rust's Display prints it (no exponent notation). */
function rustFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e-(\d+)$/.exec(s);
  if (!m) return s;
  return `${m[1]}0.${"0".repeat(Number(m[4]) - 1)}${m[2]}${m[3] ?? ""}`;
}

/** `expected one of …` in serde's wording for a list of variants. */
function expectedVariants(values: readonly string[]): string {
  const q = values.map((v) => `\`${v}\``);
  if (q.length === 0) return "there are no variants";
  if (q.length === 1) return `expected ${q[0]}`;
  if (q.length === 2) return `expected ${q[0]} or ${q[1]}`;
  return `expected one of ${q.join(", ")}`;
}

const INT_LIMITS: Record<string, [bigint, bigint]> = {
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
  u64: [0n, 2n ** 64n - 1n],
  usize: [0n, 2n ** 64n - 1n],
  u16: [0n, 65535n],
};

/** Checks one value; returns it (possibly with invalid parts removed) or INVALID. */
function check(spec: Spec, v: TomlValue, path: KeySegment[], problems: ConfigProblem[]): Checked {
  switch (spec.t) {
    case "any":
      return v;
    case "string":
      // The reference reads a TOML date into a string field without complaint.
      return typeof v === "string" || isDate(v)
        ? v
        : invalidType(problems, path, v, spec.expect ?? "a string");
    case "bool":
      return typeof v === "boolean" ? v : invalidType(problems, path, v, "a boolean");
    case "int": {
      if (!isInteger(v)) return invalidType(problems, path, v, spec.int);
      const [min, max] = INT_LIMITS[spec.int]!;
      const n = BigInt(v);
      if (n < min || n > max) {
        return report(problems, path, `invalid value: integer \`${n}\`, expected ${spec.int}`);
      }
      return v;
    }
    case "float":
      if (typeof v !== "number" && typeof v !== "bigint") {
        return invalidType(problems, path, v, "f64");
      }
      if (spec.duration && Number(v) < 0) {
        return report(
          problems,
          path,
          "cannot convert float seconds to Duration: value is negative",
        );
      }
      return v;
    case "enum":
      return checkEnum(spec, v, path, problems);
    case "seq": {
      if (!Array.isArray(v)) return invalidType(problems, path, v, "a sequence");
      // One bad element makes the whole array unusable, as it would be for the reference.
      const items = v.map((item, i) => check(spec.of, item, [...path, i], problems));
      return items.includes(INVALID) ? INVALID : items as TomlValue[];
    }
    case "map": {
      if (!isTable(v)) return invalidType(problems, path, v, "a map");
      const out: TomlTable = {};
      for (const [k, inner] of Object.entries(v)) {
        const c = check(spec.of, inner, [...path, k], problems);
        if (c !== INVALID) setOwn(out, k, c);
      }
      return out;
    }
    case "struct":
      return checkStruct(spec, v, path, problems);
    case "features":
      return checkFeatures(v, path, problems);
    case "boolOrStrings": {
      const ok = typeof v === "boolean" ||
        (Array.isArray(v) && v.every((s) => typeof s === "string"));
      return ok
        ? v
        : report(problems, path, `data did not match any variant of untagged enum ${spec.name}`);
    }
  }
}

function setOwn(t: TomlTable, k: string, v: TomlValue): void {
  Object.defineProperty(t, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function checkEnum(
  spec: Extract<Spec, { t: "enum" }>,
  v: TomlValue,
  path: KeySegment[],
  problems: ConfigProblem[],
): Checked {
  const variants = spec.variants ?? {};
  if (typeof v === "string") {
    const special = spec.special?.[v];
    if (special !== undefined) return report(problems, path, special);
    if (!spec.values.includes(v)) {
      return report(problems, path, `unknown variant \`${v}\`, ${expectedVariants(spec.values)}`);
    }
    const data = variants[v];
    if (data) {
      return report(problems, path, `invalid type: unit variant, expected ${data.shape} variant`);
    }
    return v;
  }
  if (!isTable(v)) return report(problems, path, "wanted string or table");
  const keys = Object.keys(v);
  if (keys.length !== 1) {
    const found = keys.length === 0 ? "found 0 elements" : "more than 1 element";
    return report(problems, path, `wanted exactly 1 element, ${found}`);
  }
  const name = keys[0]!;
  if (!spec.values.includes(name)) {
    return report(problems, path, `unknown variant \`${name}\`, ${expectedVariants(spec.values)}`);
  }
  const data = variants[name];
  const body = v[name]!;
  if (!data) {
    return isTable(body) ? v : report(
      problems,
      [...path, name],
      `expected table, found ${describeUnexpected(body).split(" ")[0]}`,
    );
  }
  const c = check(data.body, body, [...path, name], problems);
  return c === INVALID ? INVALID : { [name]: c };
}

function checkStruct(
  spec: Extract<Spec, { t: "struct" }>,
  v: TomlValue,
  path: KeySegment[],
  problems: ConfigProblem[],
): Checked {
  if (!isTable(v)) return invalidType(problems, path, v, `struct ${spec.name}`);
  const before = problems.length;
  const out: TomlTable = {};
  for (const [k, inner] of Object.entries(v)) {
    const field = Object.hasOwn(spec.fields, k) ? spec.fields[k] : undefined;
    if (!field) {
      if (!spec.open) report(problems, [...path, k], `unknown key \`${k}\``, "unknownKey");
      setOwn(out, k, inner);
      continue;
    }
    const c = check(field, inner, [...path, k], problems);
    if (c !== INVALID) setOwn(out, k, c);
  }
  const hadErrors = problems.slice(before).some((p) => p.kind !== "unknownKey");
  for (const name of spec.required ?? []) {
    if (Object.hasOwn(out, name)) continue;
    // A required field that was present but invalid is already reported.
    if (!Object.hasOwn(v, name)) report(problems, path, `missing field \`${name}\``);
    return INVALID;
  }
  if (spec.rule === "mcpServer") {
    const err = mcpTransportError(out);
    if (err !== null) return hadErrors ? INVALID : report(problems, path, err);
  }
  return out;
}

/** Entries must be booleans; the reference reports the error at the table's own path. */
function checkFeatures(v: TomlValue, path: KeySegment[], problems: ConfigProblem[]): Checked {
  if (!isTable(v)) return invalidType(problems, path, v, "struct FeaturesToml");
  const out: TomlTable = {};
  for (const [k, inner] of Object.entries(v)) {
    if (typeof inner === "boolean") setOwn(out, k, inner);
    else invalidType(problems, path, inner, "a boolean");
  }
  return out;
}

const STDIO_ONLY = ["args", "env", "env_vars", "cwd"];
const HTTP_ONLY = ["bearer_token_env_var", "bearer_token", "http_headers", "env_http_headers"];

/** An MCP server is stdio (`command`) or streamable HTTP (`url`), never a mix. */
function mcpTransportError(server: TomlTable): string | null {
  const has = (k: string) => Object.hasOwn(server, k);
  if (has("command")) {
    for (const k of ["url", ...HTTP_ONLY]) if (has(k)) return `${k} is not supported for stdio`;
    return null;
  }
  if (has("url")) {
    for (const k of [...STDIO_ONLY, "bearer_token"]) {
      if (has(k)) return `${k} is not supported for streamable_http`;
    }
    return null;
  }
  return "invalid transport";
}
