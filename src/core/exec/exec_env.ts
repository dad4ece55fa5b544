/**
 * The `[shell_environment_policy]` config: which of the server's environment variables a
 * command sees. By default everything except names that look like credentials.
 *
 * @module
 */

/** How the environment of agent commands is derived from ours. */
export interface ShellEnvironmentPolicy {
  inherit: "core" | "all" | "none";
  ignoreDefaultExcludes: boolean;
  exclude: string[];
  includeOnly: string[];
  set: Record<string, string>;
}

/** Inherit all, default excludes applied. */
export const DEFAULT_SHELL_ENVIRONMENT_POLICY: ShellEnvironmentPolicy = Object.freeze({
  inherit: "all",
  ignoreDefaultExcludes: false,
  exclude: [],
  includeOnly: [],
  set: {},
}) as ShellEnvironmentPolicy;

/** Variables kept by `inherit = "core"`: what programs need to behave normally. */
export const CORE_ENV_VARS: readonly string[] = [
  "HOME",
  "LOGNAME",
  "PATH",
  "SHELL",
  "USER",
  "USERNAME",
  "TMPDIR",
  "TEMP",
  "TMP",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TERM",
  "TZ",
];

/** Credentials usually hide behind these names. */
const DEFAULT_EXCLUDES = ["*KEY*", "*SECRET*", "*TOKEN*"];

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * From the raw TOML table value. Invalid fields are ignored rather than rejected, so a
 * typo in config degrades to the default instead of breaking every command.
 */
export function shellEnvironmentPolicyFrom(raw: unknown): ShellEnvironmentPolicy {
  const policy: ShellEnvironmentPolicy = {
    inherit: "all",
    ignoreDefaultExcludes: false,
    exclude: [],
    includeOnly: [],
    set: {},
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return policy;
  const table = raw as Record<string, unknown>;
  const inherit = table["inherit"];
  if (inherit === "core" || inherit === "all" || inherit === "none") policy.inherit = inherit;
  if (typeof table["ignore_default_excludes"] === "boolean") {
    policy.ignoreDefaultExcludes = table["ignore_default_excludes"];
  }
  policy.exclude = stringList(table["exclude"]);
  policy.includeOnly = stringList(table["include_only"]);
  const set = table["set"];
  if (typeof set === "object" && set !== null && !Array.isArray(set)) {
    for (const [k, v] of Object.entries(set as Record<string, unknown>)) {
      if (typeof v === "string") policy.set[k] = v;
      else if (typeof v === "number" || typeof v === "boolean") policy.set[k] = String(v);
    }
  }
  return policy;
}

/** A case-insensitive matcher for a glob with `*` and `?`. */
export function globMatcher(glob: string): (name: string) => boolean {
  let src = "^";
  for (const ch of glob) {
    if (ch === "*") src += ".*";
    else if (ch === "?") src += ".";
    else src += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const re = new RegExp(src + "$", "is");
  return (name) => re.test(name);
}

function anyMatcher(globs: string[]): (name: string) => boolean {
  const matchers = globs.map(globMatcher);
  return (name) => matchers.some((m) => m(name));
}

/**
 * Order: inherit (all / core / none), then unless ignoreDefaultExcludes drop *KEY*,
 * *SECRET*, *TOKEN*, then drop `exclude`, then apply `set`, then keep only `includeOnly`
 * names when that list is non-empty.
 */
export function buildExecEnv(
  policy: ShellEnvironmentPolicy,
  base: Record<string, string>,
): Record<string, string> {
  let env: Record<string, string> = {};
  if (policy.inherit === "all") env = { ...base };
  else if (policy.inherit === "core") {
    for (const name of CORE_ENV_VARS) {
      const v = base[name];
      if (v !== undefined) env[name] = v;
    }
  }
  const drop = (match: (name: string) => boolean) => {
    for (const name of Object.keys(env)) if (match(name)) delete env[name];
  };
  if (!policy.ignoreDefaultExcludes) drop(anyMatcher(DEFAULT_EXCLUDES));
  if (policy.exclude.length > 0) drop(anyMatcher(policy.exclude));
  for (const [k, v] of Object.entries(policy.set)) env[k] = v;
  if (policy.includeOnly.length > 0) {
    const keep = anyMatcher(policy.includeOnly);
    drop((name) => !keep(name));
  }
  return env;
}
