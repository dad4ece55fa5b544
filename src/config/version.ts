/**
 * Layer versions and the JSON form of TOML values. Clients send a version back as
 * `expectedVersion`, and some compare it with versions they computed or saw from the reference,
 * so the hash input must be byte-for-byte the JSON the reference hashes: keys sorted at every
 * level, compact, integers exact (64-bit), floats in serde_json's notation and date/times as
 * `{"$__toml_private_datetime": text}`.
 *
 * @module
 */

import { sha256Hex } from "../util/sha256.ts";
import { isTomlDateTime, isTomlTable } from "./merge.ts";
import type { TomlTable, TomlValue } from "./types.ts";

/** `sha256:` + the hex SHA-256 of the canonical JSON of `table`. */
export function layerVersion(table: TomlTable): string {
  return `sha256:${sha256Hex(canonicalJson(table))}`;
}

/** The canonical JSON text of a TOML value (what {@linkcode layerVersion} hashes). */
export function canonicalJson(value: TomlValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return numberJson(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isTomlDateTime(value)) {
    return `{"$__toml_private_datetime":${JSON.stringify(value.$__toml_private_datetime)}}`;
  }
  const keys = Object.keys(value).sort(compareKeys);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(",")}}`;
}

/**
 * The same value as plain JSON data with sorted keys, for the wire (`layers[].config`,
 * `effectiveValue`). A bigint becomes `JSON.rawJSON` text so `JSON.stringify` writes the exact
 * integer instead of throwing; non-finite floats become null as in the reference.
 */
export function toJsonValue(value: TomlValue): unknown {
  if (typeof value === "bigint") return rawJson(value.toString());
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (isTomlDateTime(value)) {
    return { $__toml_private_datetime: value.$__toml_private_datetime };
  }
  if (!isTomlTable(value)) return null;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort(compareKeys)) {
    Object.defineProperty(out, k, {
      value: toJsonValue(value[k]!),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** serde_json sorts map keys by their UTF-8 bytes; JS compares UTF-16 units. */
function compareKeys(a: string, b: string): number {
  const ea = ENCODER.encode(a);
  const eb = ENCODER.encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i]! - eb[i]!;
  return ea.length - eb.length;
}

const ENCODER = new TextEncoder();

function rawJson(text: string): unknown {
  const withRaw = JSON as unknown as { rawJSON?: (t: string) => unknown };
  return withRaw.rawJSON ? withRaw.rawJSON(text) : Number(text);
}

/**
 * A number as the reference writes it. TOML integers arrive as safe-range numbers (larger ones
 * are bigint), so an integral number below 2^53 is taken to be an integer; everything else is a
 * float in serde_json's notation: plain decimals (with `.0` when integral) for exponents −5..15,
 * otherwise `d.ddde±x`; NaN and infinities are null.
 */
function numberJson(x: number): string {
  if (!Number.isFinite(x)) return "null";
  if (Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER && !Object.is(x, -0)) {
    return String(x);
  }
  return floatJson(x);
}

/** serde_json's float text (shortest round-trip digits). */
export function floatJson(x: number): string {
  if (!Number.isFinite(x)) return "null";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(Math.abs(x).toExponential());
  if (!m) return String(x);
  const digits = m[1]! + (m[2] ?? "");
  const exp = Number(m[3]);
  if (exp < -5 || exp >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exp < 0 ? "-" : "+"}${Math.abs(exp)}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}
