/**
 * Turns a params validation failure into the reference's `Invalid request: …` wording (the
 * serde style: `missing field`, `invalid type`, `unknown variant`), adding the failing field
 * path so users can see which field is wrong.
 *
 * @module
 */

import type { z } from "zod";
import { invalidRequest, type RpcError } from "../jsonrpc/errors.ts";

/** Builds the `-32600` error for params that did not validate. */
export function paramsError(error: z.ZodError): RpcError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest("Invalid request: invalid params");
  const path = formatPath(issue.path);
  const missingTopLevel = isMissing(issue) && issue.path.length <= 1;
  const where = path !== "" && !missingTopLevel ? ` (at \`${path}\`)` : "";
  return invalidRequest(`Invalid request: ${describe(issue)}${where}`, {
    fieldPath: path === "" ? null : path,
  });
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === "invalid_type" && issue.input === undefined;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) {
        const last = issue.path.at(-1);
        return last === undefined ? "missing params" : `missing field \`${String(last)}\``;
      }
      return `invalid type: ${kindOf(issue.input)}, expected ${article(issue.expected)}`;
    }
    case "invalid_value":
      return `unknown variant ${variant(issue.input)}, expected ${oneOf(issue.values)}`;
    case "invalid_union": {
      const withOptions = issue as typeof issue & { discriminator?: string; options?: unknown[] };
      if (withOptions.discriminator && withOptions.options) {
        const input = issue.input as Record<string, unknown> | undefined;
        const tag = input?.[withOptions.discriminator];
        if (tag === undefined) return `missing field \`${withOptions.discriminator}\``;
        return `unknown variant ${variant(tag)}, expected ${oneOf(withOptions.options)}`;
      }
      const values: unknown[] = [];
      const shapes = new Set<string>();
      for (const branch of issue.errors) {
        const first = branch[0];
        if (first?.path.length !== 0) continue;
        if (first.code === "invalid_value") values.push(...first.values);
        else if (first.code === "invalid_type") shapes.add(article(first.expected));
      }
      const expected = [...(values.length > 0 ? [oneOf(values)] : []), ...shapes].join(" or ");
      return `data did not match any variant${expected ? `: expected ${expected}` : ""}`;
    }
    case "too_small":
      return `invalid value: ${kindOf(issue.input)}, expected ${
        issue.origin === "array" || issue.origin === "string"
          ? `at least ${issue.minimum} ${issue.origin === "array" ? "items" : "characters"}`
          : `a value ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`
      }`;
    case "too_big":
      return `invalid value: ${kindOf(issue.input)}, expected ${
        issue.origin === "array" || issue.origin === "string"
          ? `at most ${issue.maximum} ${issue.origin === "array" ? "items" : "characters"}`
          : `a value ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`
      }`;
    default:
      return issue.message;
  }
}

function variant(value: unknown): string {
  return typeof value === "string" ? `\`${value}\`` : kindOf(value);
}

function oneOf(values: readonly unknown[]): string {
  return `one of ${values.map((v) => `\`${String(v)}\``).join(", ")}`;
}

function article(expected: string): string {
  switch (expected) {
    case "object":
      return "a map";
    case "array":
      return "a sequence";
    case "int":
    case "number":
      return "a number";
    default:
      return `a ${expected}`;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "sequence";
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)}`;
    case "number":
      return Number.isSafeInteger(value) ? `integer \`${value}\`` : `number \`${value}\``;
    case "boolean":
      return `boolean \`${value}\``;
    case "object":
      return "map";
    default:
      return typeof value;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}
