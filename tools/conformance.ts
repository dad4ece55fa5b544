/**
 * Conformance of our protocol schema against the reference Codex binaries: generates the
 * reference schema (`app-server generate-json-schema --experimental`) for the target version
 * and a later one, builds ours in-process, and checks that ours covers the target and adds
 * only what the later version also has. Run with `deno task conformance`.
 *
 * @module
 */

import { join } from "node:path";
import { buildJsonSchemaFiles, BUNDLE_FILE } from "../src/protocol/export/json_schema.ts";
import { ensureReference, LATER_VERSION, REFERENCE_VERSION } from "./reference.ts";
import { compareBundles, type Exclusions } from "./schema_compare.ts";

const LEGACY_V1 = "legacy v1 conversation API; not implemented (v2 only)";
const EVENT_MIRROR = "legacy EventMsg mirror (codex/event/*); a later issue decides";

/** Reference items left out on purpose. */
export const EXCLUSIONS: Exclusions = {
  definitions: {
    ApplyPatchApprovalParams: LEGACY_V1,
    ApplyPatchApprovalResponse: LEGACY_V1,
    ExecCommandApprovalParams: LEGACY_V1,
    ExecCommandApprovalResponse: LEGACY_V1,
    ReviewDecision: LEGACY_V1,
    EventMsg: EVENT_MIRROR,
  },
  methods: {
    applyPatchApproval: LEGACY_V1,
    execCommandApproval: LEGACY_V1,
  },
};

/** Finds the `codex` binary of a version (installing it when needed). */
export type BinaryResolver = (version: string) => Promise<string>;

async function referenceBundle(version: string, resolve: BinaryResolver): Promise<unknown> {
  const bin = await resolve(version);
  const out = await Deno.makeTempDir({ prefix: `codex-schema-${version}-` });
  try {
    const result = await new Deno.Command(bin, {
      args: ["app-server", "generate-json-schema", "--experimental", "--out", out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!result.success) {
      throw new Error(
        `generate-json-schema ${version}: ${new TextDecoder().decode(result.stderr)}`,
      );
    }
    return JSON.parse(await Deno.readTextFile(join(out, BUNDLE_FILE)));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/** Runs the whole check, printing the report; returns the exit code. */
export async function runConformance(resolve: BinaryResolver = ensureReference): Promise<number> {
  const write = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
  write(`reference ${REFERENCE_VERSION}, later ${LATER_VERSION}`);
  write("excluded on purpose:");
  for (const [kind, table] of Object.entries(EXCLUSIONS)) {
    for (const [name, reason] of Object.entries(table)) write(`  ${kind} ${name}: ${reason}`);
  }
  const [reference, later] = await Promise.all([
    referenceBundle(REFERENCE_VERSION, resolve),
    referenceBundle(LATER_VERSION, resolve),
  ]);
  const ours = buildJsonSchemaFiles({ experimental: true }).get(BUNDLE_FILE);
  const result = compareBundles(reference, ours, later, EXCLUSIONS);
  for (const [union, count] of Object.entries(result.methods)) {
    write(`${union}: ${count} reference methods compared`);
  }
  write(`definitions compared: ${result.definitions}`);
  for (const p of result.problems) write(`  problem ${p.path}: ${p.message}`);
  write(`conformance: ${result.checks} checks, ${result.problems.length} problems`);
  return result.problems.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await runConformance());
