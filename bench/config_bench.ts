/**
 * Config load and write: 200 settings spread over 5 layers (system, user, two trusted project
 * layers, session flags). Measures our `loadConfig` in-process, and for our server and the
 * reference's the stdio round trip of `config/read` (with layers, from the project's subfolder)
 * and of `config/value/write`, interleaved run by run.
 *
 * The reference always reads `/etc/codex`, so a system layer can only live there. By default
 * the system layer is left out for both servers (the table says so); `--with-etc` moves an
 * existing `/etc/codex` aside for the run and puts it back afterwards (only on a machine of
 * your own: other processes would see the benchmark's system layer meanwhile).
 *
 * Usage: deno run --allow-all bench/config_bench.ts [--runs 30] [--warmup 3] [--with-etc]
 *        [--skip-ours] [--skip-ref] [--ours-main PATH] [--ref-bin PATH] [--json]
 *
 * @module
 */

import { join } from "node:path";
import { initializeClient } from "./_rpc.ts";
import { errorText, fmt, median, num, printErrors, printTable, runCli } from "./_report.ts";
import { usingServer } from "./_runs.ts";
import { type CommonOptions, resolveServers, type ServerSpec, withTimeout } from "./_servers.ts";

/** Where the reference reads system config from; fixed in its binary. */
const ETC_CODEX = "/etc/codex";
const TOTAL_KEYS = 200;

export interface ConfigBenchOptions extends CommonOptions {
  runs?: number;
  warmup?: number;
  /** Put the system layer in /etc/codex (moved aside and restored); off by default. */
  withEtc?: boolean;
}

export interface ConfigBenchResult {
  name: string;
  /** The server spec name (`ours`, `reference`) of a round-trip row. */
  server?: string;
  /** Median ms of an in-process `loadConfig` (ours only). */
  loadMs?: number;
  /** Median ms of a `config/read` round trip. */
  readMs?: number;
  /** Median ms of a `config/value/write` round trip. */
  writeMs?: number;
  /** Leaf settings `config/read` reported, to show both sides saw the same layers. */
  origins?: number;
  /** Layers `config/read` (or loadConfig) listed. */
  layers?: number;
  runs: number;
  error?: string;
}

export interface ConfigBenchReport {
  layers: number;
  keys: number;
  systemLayer: string;
  results: ConfigBenchResult[];
}

/** A temp tree with CODEX_HOME, a git project with two `.codex` layers, and session flags. */
interface Fixture {
  root: string;
  home: string;
  /** The project subfolder requests are made from. */
  cwd: string;
  overrides: string[];
  keys: number;
  layers: number;
}

/** `n` distinct settings for layer `tag`, of kinds every config reader accepts. */
function settings(tag: string, n: number): Array<[string, string]> {
  const out: Array<[string, string]> = [["model", `"${tag}-model"`]];
  for (let i = 1; i < n; i++) {
    switch (i % 3) {
      case 0:
        out.push([`features.${tag}_f${i}`, i % 2 === 0 ? "true" : "false"]);
        break;
      case 1:
        out.push([`profiles.${tag}_p${i}.model`, `"${tag}-p${i}"`]);
        break;
      default:
        out.push([`shell_environment_policy.set.${tag.toUpperCase()}_V${i}`, `"v${i}"`]);
    }
  }
  return out;
}

/** A TOML file of dotted-key lines (valid, and the same text for both servers). */
function tomlOf(entries: Array<[string, string]>, extra = ""): string {
  return extra + entries.map(([k, v]) => `${k} = ${v}\n`).join("");
}

async function buildFixture(systemDir: string | null): Promise<Fixture> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "codex-config-bench-" }));
  const home = join(root, "home");
  const project = join(root, "repo");
  const cwd = join(project, "sub");
  for (const d of [home, join(project, ".git"), join(project, ".codex"), join(cwd, ".codex")]) {
    await Deno.mkdir(d, { recursive: true });
  }
  // Trusting the project root enables both project layers, for the reference as for us.
  const trust = `projects.${JSON.stringify(project)}.trust_level = "trusted"\n`;
  const split = systemDir
    ? { system: 30, user: 59, root: 40, sub: 40, flags: 30 }
    : { system: 0, user: 79, root: 40, sub: 40, flags: 40 };
  if (systemDir) {
    await Deno.writeTextFile(join(systemDir, "config.toml"), tomlOf(settings("sys", split.system)));
  }
  await Deno.writeTextFile(join(home, "config.toml"), tomlOf(settings("usr", split.user), trust));
  await Deno.writeTextFile(
    join(project, ".codex", "config.toml"),
    tomlOf(settings("prj", split.root)),
  );
  await Deno.writeTextFile(join(cwd, ".codex", "config.toml"), tomlOf(settings("sub", split.sub)));
  const overrides = settings("ses", split.flags).map(([k, v]) => `${k}=${v}`);
  const keys = split.system + split.user + 1 + split.root + split.sub + split.flags;
  if (keys !== TOTAL_KEYS) throw new Error(`fixture has ${keys} settings, not ${TOTAL_KEYS}`);
  return {
    root,
    home,
    cwd,
    overrides,
    keys,
    layers: systemDir ? 5 : 4,
  };
}

/** Copies the fixture's CODEX_HOME so every server starts from identical contents. */
async function freshHome(fx: Fixture, name: string): Promise<string> {
  const home = join(fx.root, `home-${name}-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.mkdir(home);
  await Deno.copyFile(join(fx.home, "config.toml"), join(home, "config.toml"));
  return home;
}

/**
 * Moves an existing /etc/codex aside and creates an empty one for the run. Returns null (and
 * why) when /etc/codex cannot be prepared; `restore` puts the original back.
 */
async function claimEtcCodex(): Promise<
  { dir: string; restore: () => Promise<void> } | { dir: null; why: string }
> {
  const aside = `${ETC_CODEX}.bench-aside-${Deno.pid}`;
  let moved = false;
  try {
    await Deno.rename(ETC_CODEX, aside);
    moved = true;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      return { dir: null, why: `cannot move ${ETC_CODEX} aside (${(err as Error).message})` };
    }
  }
  try {
    await Deno.mkdir(ETC_CODEX);
  } catch (err) {
    if (moved) await Deno.rename(aside, ETC_CODEX).catch(() => {});
    return { dir: null, why: `${ETC_CODEX} is not writable (${(err as Error).message})` };
  }
  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    await Deno.remove(ETC_CODEX, { recursive: true }).catch(() => {});
    if (moved) await Deno.rename(aside, ETC_CODEX);
  };
  return { dir: ETC_CODEX, restore };
}

interface Sampled {
  read: number[];
  write: number[];
  origins?: number;
  layers?: number;
}

/** Warm-up and measured `config/read` + `config/value/write` round trips on one server. */
async function measureServer(
  spec: ServerSpec,
  fx: Fixture,
  systemDir: string | null,
  runs: number,
  warmup: number,
): Promise<Sampled> {
  const codexHome = await freshHome(fx, spec.name);
  const spawnOptions = {
    stdio: true,
    codexHome,
    cwd: fx.cwd,
    extraArgs: fx.overrides.flatMap((o) => ["-c", o]),
    // Ours reads the same folder the reference does; with no system layer, an empty one.
    env: { CODEX_SYSTEM_CONFIG_DIR: systemDir ?? join(fx.root, "no-system") },
  };
  try {
    return await usingServer(spec, spawnOptions, async (server) => {
      const client = await initializeClient(server);
      const out: Sampled = { read: [], write: [] };
      for (let i = 0; i < warmup + runs; i++) {
        let t = performance.now();
        const read = await client.request("config/read", { includeLayers: true, cwd: fx.cwd });
        const readMs = performance.now() - t;
        if (read.error) throw new Error(`config/read: ${read.error.message}`);
        const result = read.result as { origins: Record<string, unknown>; layers: unknown[] };
        out.origins = Object.keys(result.origins).length;
        out.layers = result.layers.length;
        t = performance.now();
        const write = await client.request("config/value/write", {
          keyPath: "features.bench_toggle",
          value: i % 2 === 0,
          mergeStrategy: "replace",
        });
        const writeMs = performance.now() - t;
        if (write.error) throw new Error(`config/value/write: ${write.error.message}`);
        if (i >= warmup) {
          out.read.push(readMs);
          out.write.push(writeMs);
        }
      }
      return out;
    });
  } finally {
    await Deno.remove(codexHome, { recursive: true }).catch(() => {});
  }
}

/** In-process `loadConfig` of the same five layers. */
async function measureLoad(
  fx: Fixture,
  systemDir: string | null,
  runs: number,
  warmup: number,
  oursMain?: string,
): Promise<{ samples: number[]; origins: number; layers: number }> {
  // Loaded from the tree under test (like the server), by computed URL so `--ours-main` works.
  const url = new URL("src/config/load.ts", new URL(".", `file://${oursMain ?? mainPath()}`));
  const { loadConfig } = await import(url.href) as typeof import("../src/config/load.ts");
  const opts = {
    codexHome: fx.home,
    cwd: fx.cwd,
    overrides: fx.overrides,
    featureToggles: [],
    systemDir: systemDir ?? join(fx.root, "no-system"),
  };
  const samples: number[] = [];
  let last = await loadConfig(opts);
  for (let i = 0; i < warmup + runs; i++) {
    const t = performance.now();
    last = await loadConfig(opts);
    if (i >= warmup) samples.push(performance.now() - t);
  }
  return { samples, origins: last.origins.size, layers: last.layers.length };
}

function mainPath(): string {
  return new URL("../main.ts", import.meta.url).pathname;
}

/** Runs the whole comparison; /etc/codex is always restored, even on failure. */
export async function runConfigBench(opts: ConfigBenchOptions = {}): Promise<ConfigBenchReport> {
  const runs = Math.max(1, Math.min(opts.runs ?? 30, 1000));
  const warmup = Math.max(0, Math.min(opts.warmup ?? 3, 50));
  const specs = await resolveServers(opts);
  const etc = opts.withEtc ? await claimEtcCodex() : { dir: null, why: "no --with-etc" };
  const stopOnSignal = () => {
    void (etc.dir ? etc.restore() : Promise.resolve()).finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", stopOnSignal);
  let fx: Fixture | undefined;
  try {
    fx = await buildFixture(etc.dir);
    const results: ConfigBenchResult[] = [];
    if (!opts.skipOurs) {
      try {
        const load = await measureLoad(fx, etc.dir, runs, warmup, opts.oursMain);
        results.push({
          name: "ours loadConfig (in-process)",
          loadMs: median(load.samples),
          origins: load.origins,
          layers: load.layers,
          runs: load.samples.length,
        });
      } catch (err) {
        results.push({ name: "ours loadConfig (in-process)", runs: 0, error: errorText(err) });
      }
    }
    for (const spec of specs) {
      try {
        const s = await withTimeout(
          measureServer(spec, fx, etc.dir, runs, warmup),
          120_000,
          `${spec.name} config round trips`,
        );
        results.push({
          name: `${spec.name} app-server (stdio)`,
          server: spec.name,
          readMs: median(s.read),
          writeMs: median(s.write),
          origins: s.origins,
          layers: s.layers,
          runs: s.read.length,
        });
      } catch (err) {
        results.push({
          name: `${spec.name} app-server (stdio)`,
          server: spec.name,
          runs: 0,
          error: errorText(err),
        });
      }
    }
    return {
      layers: fx.layers,
      keys: fx.keys,
      systemLayer: etc.dir !== null ? `${ETC_CODEX}/config.toml` : `skipped for both: ${etc.why}`,
      results,
    };
  } finally {
    Deno.removeSignalListener("SIGINT", stopOnSignal);
    if (etc.dir) await etc.restore();
    if (fx) await Deno.remove(fx.root, { recursive: true }).catch(() => {});
  }
}

/** Prints the report as a table. */
export function printConfigBench(report: ConfigBenchReport): void {
  const cell = (v: number | undefined, show: (v: number) => string) =>
    v === undefined ? "-" : show(v);
  printTable(
    `config: ${report.keys} settings in ${report.layers} layers (system layer: ${report.systemLayer}); median ms`,
    report.results,
    [
      ["what", (r) => r.name],
      ["runs", (r) => String(r.runs)],
      ["loadConfig", (r) => cell(r.loadMs, (v) => fmt(v, 2))],
      ["config/read", (r) => cell(r.readMs, (v) => fmt(v, 2))],
      ["config/value/write", (r) => cell(r.writeMs, (v) => fmt(v, 2))],
      ["origins", (r) => cell(r.origins, String)],
      ["layers", (r) => cell(r.layers, String)],
    ],
  );
  printErrors(report.results);
}

if (import.meta.main) {
  await runCli(
    { runs: { type: "string" }, warmup: { type: "string" }, "with-etc": { type: "boolean" } },
    (values, common) =>
      runConfigBench({
        ...common,
        runs: num(values.runs),
        warmup: num(values.warmup),
        withEtc: values["with-etc"] === true,
      }),
    printConfigBench,
  );
}
