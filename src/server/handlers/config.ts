/**
 * The config API: `config/read`, `config/value/write`, `config/batchWrite` and
 * `configRequirements/read`. Reads go to disk each time (as in the reference), so edits made
 * by hand or by `codex config set` show up without a restart. Unlike the reference, a broken
 * file does not turn `config/read` into `-32603`: the valid settings are still reported (the
 * problem itself was sent as a `configWarning`).
 *
 * @module
 */

import { formatProblem } from "../../config/diagnostics.ts";
import { CONFIG_READ_KEYS } from "../../config/schema.ts";
import { internalError } from "../../jsonrpc/errors.ts";
import type { ConfigService } from "../../config/config_service.ts";
import type { ConfigLayer, LoadedConfig, TomlTable } from "../../config/types.ts";
import { toJsonValue } from "../../config/version.ts";
import type { ResultOf } from "../../protocol/methods.ts";
import type { RequestContext } from "../context.ts";
import type { Handler } from "../router.ts";

/** `ProfileV2` fields, reported null when unset; a profile's other keys follow. */
const PROFILE_KEYS = [
  "model",
  "model_provider",
  "approval_policy",
  "model_reasoning_effort",
  "model_reasoning_summary",
  "model_verbosity",
  "web_search",
  "chatgpt_base_url",
] as const;

type Json = Record<string, unknown>;

function service(ctx: RequestContext): ConfigService {
  const config = ctx.server.config;
  if (!config) throw internalError("configuration is not loaded in this server");
  return config;
}

/** `config/read`: the effective config, where each value came from, and optionally the layers. */
export const configRead: Handler<"config/read"> = async (ctx, params) => {
  const loaded = await service(ctx).read(params.cwd ?? null);
  const result: Json = { config: effectiveConfigJson(loaded.merged), origins: originsJson(loaded) };
  if (params.includeLayers) result.layers = [...loaded.layers].reverse().map(layerJson);
  return result as ResultOf<"config/read">;
};

/** `config/value/write`: one edit of the user config. */
export const configValueWrite: Handler<"config/value/write"> = (ctx, params) =>
  service(ctx).write({
    edits: [{ keyPath: params.keyPath, value: params.value, mergeStrategy: params.mergeStrategy }],
    filePath: params.filePath,
    expectedVersion: params.expectedVersion,
  });

/** `config/batchWrite`: several edits, validated together and written once (or not at all). */
export const configBatchWrite: Handler<"config/batchWrite"> = (ctx, params) =>
  service(ctx).write(params);

/** `configRequirements/read`: the admin constraints, read fresh from disk. */
export const configRequirementsRead: Handler<"configRequirements/read"> = async (ctx) => ({
  requirements: await service(ctx).readRequirements(),
});

/** The merged config as the wire shows it: known keys first with typed defaults filled in. */
export function effectiveConfigJson(merged: TomlTable): Json {
  const out: Json = {};
  for (const key of CONFIG_READ_KEYS) {
    const value = merged[key];
    out[key] = value === undefined ? (key === "profiles" ? {} : null) : toJsonValue(value);
  }
  out.sandbox_workspace_write = typed(out.sandbox_workspace_write, (t) => ({
    writable_roots: t.writable_roots ?? [],
    network_access: t.network_access ?? false,
    exclude_tmpdir_env_var: t.exclude_tmpdir_env_var ?? false,
    exclude_slash_tmp: t.exclude_slash_tmp ?? false,
  }));
  out.tools = typed(out.tools, (t) => ({
    web_search: t.web_search ?? null,
    view_image: t.view_image ?? null,
  }));
  out.analytics = typed(out.analytics, (t) => ({ enabled: t.enabled ?? null, ...t }));
  out.profiles = typed(out.profiles, (profiles) => {
    const shaped: Json = {};
    for (const [name, p] of Object.entries(profiles)) {
      shaped[name] = typed(p, (t) => {
        const profile: Json = {};
        for (const k of PROFILE_KEYS) profile[k] = t[k] ?? null;
        return { ...profile, ...t };
      });
    }
    return shaped;
  });
  for (const [key, value] of Object.entries(merged)) {
    if (!Object.hasOwn(out, key)) out[key] = toJsonValue(value);
  }
  return out;
}

function typed(value: unknown, shape: (t: Json) => Json): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? shape(value as Json)
    : value;
}

function originsJson(loaded: LoadedConfig): Json {
  const out: Json = {};
  for (const [path, layer] of loaded.origins) {
    out[path] = { name: layer.source, version: layer.version };
  }
  return out;
}

function layerJson(layer: ConfigLayer): Json {
  const out: Json = {
    name: layer.source,
    version: layer.version,
    config: sortKeys(toJsonValue(layer.raw)),
  };
  const unreadable = layer.problems.find((p) => p.kind === "syntax");
  if (layer.disabledReason !== null) out.disabledReason = layer.disabledReason;
  // A file we could not read takes no part in the merge: say why, where clients look for it.
  else if (unreadable) out.disabledReason = `Ignored: ${formatProblem(unreadable)}`;
  return out;
}

/** Layer configs are shown with keys sorted, as the reference does. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  const out: Json = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Json)[k]);
  return out;
}
