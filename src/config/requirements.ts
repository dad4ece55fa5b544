/**
 * Admin requirements: constraints from `requirements.toml` (and, best effort, the legacy
 * `managed_config.toml`) on what configuration may choose. A bad requirements file is reported
 * with its location and its bad fields are ignored; unlike the reference, it does not make every
 * config load fail.
 *
 * @module
 */

import { join } from "node:path";
import { readTomlFile } from "./toml_read.ts";
import { locateProblem } from "./diagnostics.ts";
import { isTomlTable } from "./merge.ts";
import {
  type ConfigRequirements,
  NetworkRequirements,
  WebSearchMode,
} from "../protocol/schema/config.ts";
import { AskForApproval, SandboxMode } from "../protocol/schema/sandbox.ts";
import type { ConfigProblem, TomlValue } from "./types.ts";

/** Which source set each requirement, for messages (`set by <source>`). */
export type RequirementSources = Partial<Record<keyof ConfigRequirements, string>>;

/** An MCP server an administrator allows: by name, with the command or URL it must use. */
export interface McpServerAllowance {
  command?: string;
  url?: string;
}

/** The MCP allow-list of requirements.toml (not part of the wire shape). */
export interface McpAllowList {
  servers: Record<string, McpServerAllowance>;
  source: string;
}

/** What {@linkcode loadRequirements} found. */
export interface LoadedRequirements {
  /** Null when no source constrains anything. */
  requirements: ConfigRequirements | null;
  problems: ConfigProblem[];
  sources: RequirementSources;
  /** `[mcp_servers.<name>] identity = {command|url}`; null when MCP servers are unconstrained. */
  mcpAllowList: McpAllowList | null;
}

const KNOWN_KEYS = new Set([
  "allowed_approval_policies",
  "allowed_sandbox_modes",
  "allowed_web_search_modes",
  "enforce_residency",
  "network",
  "mcp_servers",
  "rules",
]);

const SANDBOX_DEBUG: Record<string, string> = {
  "read-only": "ReadOnly",
  "workspace-write": "WorkspaceWrite",
  "danger-full-access": "DangerFullAccess",
};

/**
 * Reads `<systemDir>/requirements.toml`, then fills fields it leaves unset from
 * `<systemDir>/managed_config.toml` (an `approval_policy` there allows only that policy; a
 * `sandbox_mode` allows read-only and that mode). The managed file's own problems are reported
 * by the layer loader, not here.
 */
export async function loadRequirements(systemDir: string): Promise<LoadedRequirements> {
  const file = join(systemDir, "requirements.toml");
  const read = await readTomlFile(file);
  const problems = [...read.problems];
  const found: ConfigRequirements = {};
  const sources: RequirementSources = {};
  let mcpAllowList: McpAllowList | null = null;
  let any = false;
  const fail = (keyPath: string, message: string) => {
    const p: ConfigProblem = { kind: "type", file, range: null, keyPath, message };
    problems.push(read.text === null ? p : locateProblem(p, file, read.text));
  };
  for (const [key, value] of Object.entries(read.table)) {
    if (!KNOWN_KEYS.has(key)) {
      fail(key, `unknown key \`${key}\``);
      problems[problems.length - 1]!.kind = "unknownKey";
      continue;
    }
    any = true;
    const set = <K extends keyof ConfigRequirements>(k: K, v: ConfigRequirements[K] | null) => {
      if (v === null) return;
      found[k] = v;
      sources[k] = file;
    };
    switch (key) {
      case "allowed_approval_policies":
        set("allowedApprovalPolicies", list(key, value, AskForApproval, APPROVAL_EXPECT, fail));
        break;
      case "allowed_sandbox_modes": {
        const modes = list(key, value, SandboxMode, SANDBOX_EXPECT, fail);
        if (modes && !modes.includes("read-only")) {
          const shown = `[${modes.map((m) => SANDBOX_DEBUG[m]).join(", ")}]`;
          fail(
            key,
            `invalid value for \`${key}\`: \`${shown}\` is not in the allowed set must include 'read-only' to allow any SandboxPolicy (set by ${file})`,
          );
        } else set("allowedSandboxModes", modes);
        break;
      }
      case "allowed_web_search_modes":
        set("allowedWebSearchModes", list(key, value, WebSearchMode, WEB_SEARCH_EXPECT, fail));
        break;
      case "enforce_residency":
        if (value === "us") set("enforceResidency", "us");
        else fail(key, invalidEnum(value, "expected `us`"));
        break;
      case "network":
        set("network", network(value, fail));
        break;
      case "mcp_servers":
        mcpAllowList = mcpAllowances(value, file, fail);
        break;
    }
  }
  await applyManagedConfig(systemDir, found, sources);
  const constrains = any || Object.keys(found).length > 0;
  return {
    requirements: constrains ? withNulls(found) : null,
    problems,
    sources,
    mcpAllowList,
  };
}

/** Parses `[mcp_servers.<name>] identity = { command = "…" }` (or `{ url = "…" }`). */
function mcpAllowances(
  value: TomlValue,
  source: string,
  fail: (keyPath: string, message: string) => void,
): McpAllowList | null {
  if (!isTable(value)) {
    fail("mcp_servers", "invalid type: expected a table of MCP server names");
    return null;
  }
  const servers: Record<string, McpServerAllowance> = {};
  for (const [name, entry] of Object.entries(value)) {
    const identity = isTable(entry) ? entry["identity"] : undefined;
    const command = isTable(identity) ? identity["command"] : undefined;
    const url = isTable(identity) ? identity["url"] : undefined;
    if (typeof command === "string") servers[name] = { command };
    else if (typeof url === "string") servers[name] = { url };
    else fail(`mcp_servers.${name}`, 'expected `identity = { command = "…" }` or `{ url = "…" }`');
  }
  return { servers, source };
}

function isTable(v: TomlValue | undefined): v is Record<string, TomlValue> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    !("$__toml_private_datetime" in v);
}

/** The wire shape lists every field, null when unset. */
function withNulls(r: ConfigRequirements): ConfigRequirements {
  return {
    allowedApprovalPolicies: r.allowedApprovalPolicies ?? null,
    allowedSandboxModes: r.allowedSandboxModes ?? null,
    allowedWebSearchModes: r.allowedWebSearchModes ?? null,
    enforceResidency: r.enforceResidency ?? null,
    network: r.network ?? null,
  };
}

async function applyManagedConfig(
  systemDir: string,
  found: ConfigRequirements,
  sources: RequirementSources,
): Promise<void> {
  const file = join(systemDir, "managed_config.toml");
  const { table } = await readTomlFile(file);
  const approval = AskForApproval.safeParse(toPlain(table["approval_policy"]));
  if (approval.success && !found.allowedApprovalPolicies) {
    found.allowedApprovalPolicies = [approval.data];
    sources.allowedApprovalPolicies = file;
  }
  const sandbox = SandboxMode.safeParse(table["sandbox_mode"]);
  if (sandbox.success && !found.allowedSandboxModes) {
    found.allowedSandboxModes = [...new Set(["read-only" as const, sandbox.data])];
    sources.allowedSandboxModes = file;
  }
}

const APPROVAL_EXPECT =
  "expected one of `untrusted`, `on-failure`, `on-request`, `reject`, `never`";
const SANDBOX_EXPECT = "expected one of `read-only`, `workspace-write`, `danger-full-access`";
const WEB_SEARCH_EXPECT = "expected one of `disabled`, `cached`, `live`";

type Schema<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false } };

/** An array whose every element the schema accepts; null (with problems) otherwise. */
function list<T>(
  key: string,
  value: TomlValue,
  schema: Schema<T>,
  expect: string,
  fail: (keyPath: string, message: string) => void,
): T[] | null {
  if (!Array.isArray(value)) {
    fail(key, `invalid type: ${describe(value)}, expected a sequence`);
    return null;
  }
  const out: T[] = [];
  let ok = true;
  value.forEach((item, i) => {
    const parsed = schema.safeParse(toPlain(item));
    if (parsed.success) out.push(parsed.data);
    else {
      ok = false;
      fail(`${key}[${i}]`, invalidEnum(item, expect));
    }
  });
  return ok ? out : null;
}

function invalidEnum(v: TomlValue, expect: string): string {
  return typeof v === "string"
    ? `unknown variant \`${v}\`, ${expect}`
    : `invalid type: ${describe(v)}, ${expect.replace(/^expected one of.*/, "expected a string")}`;
}

function describe(v: TomlValue): string {
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "boolean") return `boolean \`${v}\``;
  if (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))) {
    return `integer \`${v}\``;
  }
  if (typeof v === "number") return `floating point \`${v}\``;
  if (Array.isArray(v)) return "sequence";
  return "map";
}

const NETWORK_FIELDS: Record<string, keyof NetworkRequirements> = {
  enabled: "enabled",
  http_port: "httpPort",
  socks_port: "socksPort",
  allow_upstream_proxy: "allowUpstreamProxy",
  dangerously_allow_non_loopback_proxy: "dangerouslyAllowNonLoopbackProxy",
  dangerously_allow_non_loopback_admin: "dangerouslyAllowNonLoopbackAdmin",
  allowed_domains: "allowedDomains",
  denied_domains: "deniedDomains",
  allow_unix_sockets: "allowUnixSockets",
  allow_local_binding: "allowLocalBinding",
  dangerously_allow_all_unix_sockets: "dangerouslyAllowAllUnixSockets",
};

/** The experimental `[network]` table in camelCase; invalid fields are reported and left out. */
function network(
  value: TomlValue,
  fail: (keyPath: string, message: string) => void,
): NetworkRequirements | null {
  if (!isTomlTable(value)) {
    fail("network", `invalid type: ${describe(value)}, expected a map`);
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const field = NETWORK_FIELDS[k];
    if (field === undefined) continue;
    const parsed = NetworkRequirements.shape[field].safeParse(toPlain(v));
    if (parsed.success) out[field] = parsed.data;
    else fail(`network.${k}`, `invalid value for \`network.${k}\`: ${describe(v)}`);
  }
  return NetworkRequirements.parse(out);
}

/** TOML data as zod sees JSON (bigint as number, tables as plain objects). */
function toPlain(v: TomlValue | undefined): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toPlain);
  if (isTomlTable(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  }
  return v;
}

/**
 * Applies one constraint. A disallowed value falls back to the first allowed one, with a
 * "requirement" problem saying which value, why, and which source set the constraint, so a
 * user whose setting silently stopped working can find out where to look.
 */
export function constrain<T>(
  key: string,
  value: T,
  allowed: readonly T[] | null | undefined,
  source: string,
): { value: T; problem: ConfigProblem | null } {
  if (!allowed || allowed.length === 0) return { value, problem: null };
  const shown = show(value);
  if (allowed.some((a) => show(a) === shown)) return { value, problem: null };
  const fallback = allowed[0]!;
  const set = `[${allowed.map(show).join(", ")}]`;
  return {
    value: fallback,
    problem: {
      kind: "requirement",
      file: null,
      range: null,
      keyPath: key,
      message: `Configured value for \`${key}\` is disallowed by requirements; falling back to ` +
        `required value ${show(fallback)}. Details: invalid value for \`${key}\`: ` +
        `\`${shown}\` is not in the allowed set ${set} (set by ${source})`,
    },
  };
}

/** A value as people write it: bare strings, JSON with sorted keys for tables. */
function show(v: unknown): string {
  if (typeof v === "string") return v;
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === "bigint") return x.toString();
    if (x && typeof x === "object" && !Array.isArray(x)) {
      return Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]]));
    }
    return x;
  });
}
