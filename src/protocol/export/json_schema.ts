/**
 * Writes the protocol as JSON Schema files in the same layout as
 * `codex app-server generate-json-schema`: one draft-07 document per message type (top level,
 * `v1/` and `v2/`) plus the `codex_app_server_protocol.schemas.json` bundle. Everything is
 * derived from the zod source.
 *
 * @module
 */

import { dirname, join } from "node:path";
import {
  allDefinitions,
  applyExperimental,
  closureOf,
  type Definitions,
  experimentalOnlyNames,
  isObject,
  type JsonSchema,
  mapRefs,
  ROOT_NAMESPACE,
} from "./definitions.ts";

/** Options shared by the exports. */
export interface ExportOptions {
  /** Include experimental methods and fields (`--experimental`). */
  experimental: boolean;
}

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
/** File name of the all-in-one document. */
export const BUNDLE_FILE = "codex_app_server_protocol.schemas.json";
const V1_FILES = new Set(["InitializeParams", "InitializeResponse"]);
const TOP_LEVEL_FILES = new Set([
  "ClientRequest",
  "ServerNotification",
  "ServerRequest",
  "ClientNotification",
  "RequestId",
  "JSONRPCError",
  "JSONRPCErrorError",
  "JSONRPCMessage",
  "JSONRPCNotification",
  "JSONRPCRequest",
  "JSONRPCResponse",
]);
const MESSAGE_SUFFIX = /(Params|Response|Notification)$/;

/** The relative path of the file that holds definition `name`, or null if it gets none. */
export function fileOf(name: string): string | null {
  if (V1_FILES.has(name)) return `v1/${name}.json`;
  if (TOP_LEVEL_FILES.has(name)) return `${name}.json`;
  if (!MESSAGE_SUFFIX.test(name)) return null;
  return ROOT_NAMESPACE.has(name) ? `${name}.json` : `v2/${name}.json`;
}

/** Definitions present in the chosen mode (experimental-only methods' types dropped). */
function definitionsFor(opts: ExportOptions): Definitions {
  const all = allDefinitions();
  if (opts.experimental) return all;
  const hidden = experimentalOnlyNames();
  return Object.fromEntries(Object.entries(all).filter(([name]) => !hidden.has(name)));
}

/**
 * Builds every file: relative path → JSON document. The `definitions` of each file are the
 * closure of what it references in the full protocol (so, like the reference, a definition
 * only reachable through an experimental field stays listed in the default output).
 */
export function buildJsonSchemaFiles(opts: ExportOptions): Map<string, unknown> {
  const full = allDefinitions();
  const defs = definitionsFor(opts);
  const files = new Map<string, unknown>();
  for (const name of Object.keys(defs).sort()) {
    const path = fileOf(name);
    if (path === null) continue;
    const body = applyExperimental(full[name]!, opts.experimental);
    const doc: Record<string, unknown> = { $schema: DRAFT_07, title: name };
    if (isObject(body)) Object.assign(doc, body);
    const closure = closureOf(name, full);
    if (closure.length > 0) {
      doc["definitions"] = Object.fromEntries(
        closure.map((
          dep,
        ) => [dep, withTitle(dep, applyExperimental(full[dep]!, opts.experimental))]),
      );
    }
    files.set(path, doc);
  }
  files.set(BUNDLE_FILE, buildBundle(defs, opts));
  return files;
}

/** The bundle: root definitions at the top, v2 ones under `definitions.v2`. */
function buildBundle(defs: Definitions, opts: ExportOptions): unknown {
  const rewrite = (name: string) =>
    ROOT_NAMESPACE.has(name) ? `#/definitions/${name}` : `#/definitions/v2/${name}`;
  const root: Record<string, unknown> = {};
  const v2: Record<string, unknown> = {};
  for (const name of Object.keys(defs).sort()) {
    const body = mapRefs(
      withTitle(name, applyExperimental(defs[name]!, opts.experimental)),
      rewrite,
    );
    (ROOT_NAMESPACE.has(name) ? root : v2)[name] = body;
  }
  return {
    $schema: DRAFT_07,
    title: "CodexAppServerProtocol",
    type: "object",
    definitions: { ...root, v2 },
  };
}

function withTitle(name: string, schema: JsonSchema): JsonSchema {
  return isObject(schema) ? { title: name, ...schema } : schema;
}

/** Writes the files of {@link buildJsonSchemaFiles} under `outDir`; returns how many. */
export async function writeJsonSchema(outDir: string, opts: ExportOptions): Promise<number> {
  const files = buildJsonSchemaFiles(opts);
  for (const [path, doc] of files) {
    const target = join(outDir, path);
    await Deno.mkdir(dirname(target), { recursive: true });
    await Deno.writeTextFile(target, JSON.stringify(doc, null, 2) + "\n");
  }
  return files.size;
}
