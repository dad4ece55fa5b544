/**
 * Writes TypeScript declarations of the protocol in the layout of
 * `codex app-server generate-ts`: one file per type (`export type X = …;` plus `import type`
 * of what it uses), root types at the top, v2 types under `v2/`, and `index.ts` files that
 * re-export everything. Generated from our JSON Schema bundle, so the chain stays
 * zod → JSON Schema → TypeScript.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { isObject } from "./definitions.ts";
import { buildJsonSchemaFiles, BUNDLE_FILE, type ExportOptions } from "./json_schema.ts";

const HEADER = "// Generated from the codex-ts protocol schema. Do not edit by hand.\n";

interface TypeDef {
  name: string;
  v2: boolean;
  schema: unknown;
}

/** Builds every file: relative path → TypeScript source. */
export function buildTypeScriptFiles(opts: ExportOptions): Map<string, string> {
  const bundle = buildJsonSchemaFiles(opts).get(BUNDLE_FILE) as {
    definitions: Record<string, unknown>;
  };
  const types: TypeDef[] = [];
  for (const [name, schema] of Object.entries(bundle.definitions)) {
    if (name === "v2" && isObject(schema)) {
      for (const [n2, s2] of Object.entries(schema)) types.push({ name: n2, v2: true, schema: s2 });
    } else types.push({ name, v2: false, schema });
  }
  const isV2 = new Map(types.map((t) => [t.name, t.v2]));
  const files = new Map<string, string>();
  for (const t of types) {
    const used = new Set<string>();
    const body = tsType(t.schema, used, "");
    used.delete(t.name);
    const imports = [...used].sort().map((dep) => {
      const from = importPath(t.v2, isV2.get(dep) ?? false, dep);
      return `import type { ${dep} } from "${from}";\n`;
    });
    const path = t.v2 ? `v2/${t.name}.ts` : `${t.name}.ts`;
    files.set(
      path,
      `${HEADER}${imports.join("")}${imports.length ? "\n" : ""}export type ${t.name} = ${body};\n`,
    );
  }
  const index = (v2: boolean) =>
    HEADER +
    types.filter((t) => t.v2 === v2).map((t) => t.name).sort()
      .map((n) => `export type { ${n} } from "./${n}.ts";\n`).join("");
  files.set("index.ts", index(false) + `export * as v2 from "./v2/index.ts";\n`);
  files.set("v2/index.ts", index(true));
  return files;
}

function importPath(fromV2: boolean, toV2: boolean, name: string): string {
  if (fromV2 === toV2) return `./${name}.ts`;
  return fromV2 ? `../${name}.ts` : `./v2/${name}.ts`;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The TypeScript type of one JSON Schema node; names it references go into `used`. */
function tsType(node: unknown, used: Set<string>, indent: string): string {
  if (node === true || !isObject(node)) return node === false ? "never" : "unknown";
  if (typeof node["$ref"] === "string") {
    const name = node["$ref"].split("/").pop()!;
    used.add(name);
    return name;
  }
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const list = node[key];
    if (Array.isArray(list)) {
      const parts = list.map((v) => tsType(v, used, indent));
      return unique(parts).join(key === "allOf" ? " & " : " | ");
    }
  }
  if (Array.isArray(node["enum"])) {
    return node["enum"].map((v) => JSON.stringify(v)).join(" | ");
  }
  const t = node["type"];
  const list = Array.isArray(t) ? t : t === undefined ? ["object"] : [t];
  return unique(list.map((one) => single(String(one), node, used, indent))).join(" | ");
}

function single(type: string, node: Record<string, unknown>, used: Set<string>, ind: string) {
  switch (type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return `Array<${tsType(node["items"] ?? true, used, ind)}>`;
    default:
      return objectType(node, used, ind);
  }
}

function objectType(node: Record<string, unknown>, used: Set<string>, indent: string): string {
  const props = isObject(node["properties"]) ? node["properties"] : {};
  const required = new Set((node["required"] as string[] | undefined) ?? []);
  const inner = indent + "  ";
  const lines = Object.entries(props).map(([key, schema]) => {
    const name = IDENT.test(key) ? key : JSON.stringify(key);
    const optional = required.has(key) ? "" : "?";
    return `${inner}${name}${optional}: ${tsType(schema, used, inner)};\n`;
  });
  const extra = node["additionalProperties"];
  let rest = "";
  if (extra === true) lines.push(`${inner}[key: string]: unknown;\n`);
  else if (isObject(extra)) {
    // An intersection, so declared properties need not fit the index signature.
    rest = `{ [key: string]: ${tsType(extra, used, inner)} }`;
  }
  if (lines.length === 0) return rest || "Record<string, never>";
  const own = `{\n${lines.join("")}${indent}}`;
  return rest ? `${own} & ${rest}` : own;
}

function unique(parts: string[]): string[] {
  return [...new Set(parts)];
}

/** Writes the files of {@link buildTypeScriptFiles} under `outDir`; returns how many. */
export async function writeTypeScript(outDir: string, opts: ExportOptions): Promise<number> {
  const files = buildTypeScriptFiles(opts);
  for (const [path, source] of files) {
    const target = join(outDir, path);
    await Deno.mkdir(dirname(target), { recursive: true });
    await Deno.writeTextFile(target, source);
  }
  return files.size;
}
