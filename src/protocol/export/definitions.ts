/**
 * Turns the zod protocol schemas into plain JSON Schema definitions (draft-07), cleaned up to
 * look like the reference's: integers keep only `format` (and `minimum: 0` when unsigned),
 * single values are `enum: [x]`, "any JSON" is `true`, and experimental parts are either kept
 * (mark removed) or dropped.
 *
 * @module
 */

import { z } from "zod";
import * as schemas from "../schema/mod.ts";
import { ClientRequest, ServerNotification, ServerRequest } from "../envelopes.ts";
import { clientRequests } from "../methods.ts";

/** A JSON Schema node as plain data. */
export type JsonSchema = boolean | { [key: string]: unknown };
/** Definition name → schema. */
export type Definitions = Record<string, JsonSchema>;

/**
 * Names that the reference keeps outside its `v2` namespace (in the bundle's root
 * `definitions` and as top-level or `v1/` files). Everything else is `v2`.
 */
export const ROOT_NAMESPACE: ReadonlySet<string> = new Set([
  "AdditionalFileSystemPermissions",
  "AdditionalMacOsPermissions",
  "AdditionalPermissionProfile",
  "ChatgptAuthTokensRefreshParams",
  "ChatgptAuthTokensRefreshReason",
  "ChatgptAuthTokensRefreshResponse",
  "ClientInfo",
  "ClientNotification",
  "ClientRequest",
  "CommandExecutionApprovalDecision",
  "CommandExecutionRequestApprovalParams",
  "CommandExecutionRequestApprovalResponse",
  "DynamicToolCallOutputContentItem",
  "DynamicToolCallParams",
  "DynamicToolCallResponse",
  "FileChangeApprovalDecision",
  "FileChangeRequestApprovalParams",
  "FileChangeRequestApprovalResponse",
  "FuzzyFileSearchParams",
  "FuzzyFileSearchResponse",
  "FuzzyFileSearchResult",
  "FuzzyFileSearchSessionCompletedNotification",
  "FuzzyFileSearchSessionStartParams",
  "FuzzyFileSearchSessionStartResponse",
  "FuzzyFileSearchSessionStopParams",
  "FuzzyFileSearchSessionStopResponse",
  "FuzzyFileSearchSessionUpdateParams",
  "FuzzyFileSearchSessionUpdateResponse",
  "FuzzyFileSearchSessionUpdatedNotification",
  "InitializeCapabilities",
  "InitializeParams",
  "InitializeResponse",
  "JSONRPCError",
  "JSONRPCErrorError",
  "JSONRPCMessage",
  "JSONRPCNotification",
  "JSONRPCRequest",
  "JSONRPCResponse",
  "MacOsAutomationValue",
  "MacOsPreferencesValue",
  "NetworkApprovalContext",
  "NetworkApprovalProtocol",
  "NetworkPolicyAmendment",
  "NetworkPolicyRuleAction",
  "RequestId",
  "ServerNotification",
  "ServerRequest",
  "SkillApprovalDecision",
  "SkillRequestApprovalParams",
  "SkillRequestApprovalResponse",
  "ToolRequestUserInputAnswer",
  "ToolRequestUserInputOption",
  "ToolRequestUserInputParams",
  "ToolRequestUserInputQuestion",
  "ToolRequestUserInputResponse",
]);

/** Params and results that exist only for experimental methods. */
export function experimentalOnlyNames(): Set<string> {
  const names = new Set<string>();
  const stable = new Set<z.ZodType>();
  for (const spec of Object.values(clientRequests)) {
    const own = [spec.params, spec.result].filter((x): x is NonNullable<typeof x> => x !== null);
    if (!spec.experimental) own.forEach((x) => stable.add(x));
  }
  for (const spec of Object.values(clientRequests)) {
    if (!spec.experimental) continue;
    for (const x of [spec.params, spec.result]) {
      const id = x ? idOf(x) : undefined;
      if (x && id && !stable.has(x)) names.add(id);
    }
  }
  return names;
}

function idOf(schema: z.ZodType): string | undefined {
  const id = z.globalRegistry.get(schema)?.id;
  return typeof id === "string" ? id : undefined;
}

let cache: Definitions | undefined;

/**
 * Every protocol definition, experimental parts still marked with `experimental: true`.
 * Computed once per process (the zod source does not change at run time).
 */
export function allDefinitions(): Definitions {
  if (cache) return cache;
  const named: Record<string, z.ZodType> = {};
  for (const value of Object.values(schemas)) {
    if (value instanceof z.ZodType) {
      const id = idOf(value);
      if (id) named[id] = value;
    }
  }
  for (const env of [ClientRequest, ServerNotification, ServerRequest]) named[idOf(env)!] = env;
  const doc = z.toJSONSchema(z.object(named), {
    target: "draft-7",
    io: "input",
    unrepresentable: "any",
  }) as { definitions?: Record<string, unknown> };
  const out: Definitions = {};
  for (const [name, def] of Object.entries(doc.definitions ?? {})) out[name] = tidy(def);
  cache = out;
  return out;
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** Rewrites zod's output into the reference's idioms (see module doc). */
function tidy(node: unknown): JsonSchema {
  if (typeof node === "boolean") return node;
  if (!isObject(node)) return true;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case "properties":
      case "definitions":
        out[key] = mapValues(value, tidy);
        break;
      case "items":
      case "additionalProperties":
        out[key] = isObject(value) || typeof value === "boolean" ? tidy(value) : value;
        break;
      case "anyOf":
      case "oneOf":
      case "allOf":
        out[key] = (value as unknown[]).map(tidy);
        break;
      case "const":
        out["enum"] = [value];
        break;
      case "propertyNames":
        break; // always `{type: string}` for JSON maps
      default:
        out[key] = value;
    }
  }
  if (out["type"] === "integer") {
    const format = out["format"];
    if (typeof format === "string") {
      delete out["maximum"];
      if (format.startsWith("u")) out["minimum"] = 0;
      else delete out["minimum"];
    } else {
      if (out["maximum"] === SAFE) delete out["maximum"];
      if (out["minimum"] === -SAFE) delete out["minimum"];
    }
  }
  if (isObject(out["properties"]) && Object.keys(out["properties"]).length === 0) {
    delete out["properties"];
  }
  return Object.keys(out).length === 0 ? true : out;
}

/**
 * Applies the experimental marks: with `keep`, the marks are removed and the parts stay;
 * without, marked properties and union variants are dropped.
 */
export function applyExperimental(node: JsonSchema, keep: boolean): JsonSchema {
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "experimental") continue;
    if (key === "properties" && isObject(value)) {
      const props: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(value)) {
        if (!keep && isExperimental(prop)) continue;
        props[name] = applyExperimental(prop as JsonSchema, keep);
      }
      out[key] = props;
    } else if ((key === "oneOf" || key === "anyOf") && Array.isArray(value)) {
      out[key] = value.filter((v) => keep || !isExperimental(v))
        .map((v) => applyExperimental(v as JsonSchema, keep));
    } else if (key === "definitions" && isObject(value)) {
      out[key] = mapValues(value, (v) => applyExperimental(v as JsonSchema, keep));
    } else if ((key === "items" || key === "additionalProperties") && isObject(value)) {
      out[key] = applyExperimental(value, keep);
    } else {
      out[key] = value;
    }
  }
  if (!keep && Array.isArray(out["required"]) && isObject(out["properties"])) {
    const props = out["properties"];
    out["required"] = (out["required"] as string[]).filter((r) => Object.hasOwn(props, r));
  }
  return out;
}

function isExperimental(node: unknown): boolean {
  return isObject(node) && node["experimental"] === true;
}

/** Names referenced (`$ref: #/definitions/X`) anywhere inside `node`. */
export function refsOf(node: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => refsOf(n, into));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") into.add(value.split("/").pop()!);
      else refsOf(value, into);
    }
  }
  return into;
}

/** `name` and everything it reaches through `$ref`, excluding `name` itself. */
export function closureOf(name: string, defs: Definitions): string[] {
  const seen = new Set<string>();
  const stack = [...refsOf(defs[name])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next) || !Object.hasOwn(defs, next)) continue;
    seen.add(next);
    stack.push(...refsOf(defs[next]));
  }
  seen.delete(name);
  return [...seen].sort();
}

/** Rewrites every `$ref` with `rewrite(name)`. */
export function mapRefs(node: unknown, rewrite: (name: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => mapRefs(n, rewrite));
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === "$ref" && typeof value === "string"
      ? rewrite(value.split("/").pop()!)
      : mapRefs(value, rewrite);
  }
  return out;
}

function mapValues(value: unknown, fn: (v: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = fn(v);
  return out;
}

/** True for a non-array object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
