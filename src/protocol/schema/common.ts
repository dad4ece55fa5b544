/**
 * Building blocks shared by every protocol schema: sized integer helpers and the string
 * aliases the reference names separately.
 *
 * @module
 */

import { z } from "zod";

/**
 * A JSON integer whose JSON Schema carries the reference's `format` (and `minimum: 0` for
 * unsigned formats). Parsing checks the real range, clamped to what a JS number holds exactly.
 */
function sizedInt(format: string, min: number, max: number) {
  return z.number().int().min(min).max(max).meta({ format });
}

/** Signed 32-bit integer (`format: int32`). */
export const int32 = () => sizedInt("int32", -2147483648, 2147483647);
/** Signed 64-bit integer (`format: int64`), limited to the JS safe range. */
export const int64 = () => sizedInt("int64", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
/** Unsigned 16-bit integer (`format: uint16`). */
export const uint16 = () => sizedInt("uint16", 0, 65535);
/** Unsigned 32-bit integer (`format: uint32`). */
export const uint32 = () => sizedInt("uint32", 0, 4294967295);
/** Unsigned 64-bit integer (`format: uint64`), limited to the JS safe range. */
export const uint64 = () => sizedInt("uint64", 0, Number.MAX_SAFE_INTEGER);
/** Platform-sized unsigned integer (`format: uint`, Rust `usize`). */
export const uint = () => sizedInt("uint", 0, Number.MAX_SAFE_INTEGER);

export const AbsolutePathBuf = z.string().meta({ id: "AbsolutePathBuf" });
export type AbsolutePathBuf = z.infer<typeof AbsolutePathBuf>;

export const ThreadId = z.string().meta({ id: "ThreadId" });
export type ThreadId = z.infer<typeof ThreadId>;
