/**
 * The Linux sandbox for agent commands: a wire {@link SandboxPolicy} becomes a
 * {@link SandboxSpec} (concrete, realpath'd directories), which becomes a `bwrap` argv.
 * The whole filesystem is mounted read-only and only the writable roots are bound back
 * read-write, with `.git` / `.codex` / codex home re-protected on top.
 *
 * @module
 */

import type { SandboxPolicy } from "../../protocol/schema/sandbox.ts";

/** What a command may touch; "none" runs it unconfined. */
export type SandboxSpec =
  | { kind: "none" }
  | { kind: "readOnly"; network: boolean }
  | {
    kind: "workspaceWrite";
    writableRoots: string[];
    readOnlySubpaths: string[];
    network: boolean;
  };

function realDir(path: string): string | null {
  try {
    const real = Deno.realPathSync(path);
    return Deno.statSync(real).isDirectory ? real : null;
  } catch {
    return null;
  }
}

function realExisting(path: string): string | null {
  try {
    return Deno.realPathSync(path);
  } catch {
    return null;
  }
}

/** Whether `path` is `root` or lies below it (both absolute, normalised). */
export function isWithin(path: string, root: string): boolean {
  if (root === "/") return path.startsWith("/");
  return path === root || path.startsWith(root + "/");
}

/**
 * dangerFullAccess and externalSandbox → none (someone else confines us); readOnly →
 * readOnly without network; workspaceWrite → writable roots = cwd + policy.writableRoots +
 * "/tmp" (unless excludeSlashTmp) + $TMPDIR (unless excludeTmpdirEnvVar), existing dirs
 * only, realpath'd and deduplicated; readOnlySubpaths = each root's `.git` and `.codex`
 * when they exist, plus codexHome when it lies inside a writable root.
 */
export function sandboxSpecOf(
  policy: SandboxPolicy,
  opts: { cwd: string; codexHome: string; env: Record<string, string | undefined> },
): SandboxSpec {
  switch (policy.type) {
    case "dangerFullAccess":
    case "externalSandbox":
      return { kind: "none" };
    case "readOnly":
      return { kind: "readOnly", network: false };
    case "workspaceWrite": {
      const candidates = [opts.cwd, ...policy.writableRoots];
      if (!policy.excludeSlashTmp) candidates.push("/tmp");
      const tmpdir = opts.env["TMPDIR"];
      if (!policy.excludeTmpdirEnvVar && tmpdir) candidates.push(tmpdir);
      const writableRoots: string[] = [];
      for (const c of candidates) {
        const real = realDir(c);
        if (real !== null && !writableRoots.includes(real)) writableRoots.push(real);
      }
      const readOnlySubpaths: string[] = [];
      const protect = (p: string | null) => {
        if (p !== null && !readOnlySubpaths.includes(p)) readOnlySubpaths.push(p);
      };
      for (const root of writableRoots) {
        const sep = root.endsWith("/") ? "" : "/";
        protect(realExisting(`${root}${sep}.git`));
        protect(realExisting(`${root}${sep}.codex`));
      }
      const home = realExisting(opts.codexHome);
      if (home !== null && writableRoots.some((r) => isWithin(home, r))) protect(home);
      return {
        kind: "workspaceWrite",
        writableRoots,
        readOnlySubpaths,
        network: policy.networkAccess,
      };
    }
  }
}

/** Raised when a sandboxed mode is asked for but bubblewrap cannot provide it. */
export class SandboxUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `sandbox unavailable: bubblewrap (bwrap) is missing or not working (${detail}); ` +
        `commands in sandboxed modes (read-only, workspace-write) are refused. ` +
        `Install the \`bubblewrap\` package, or use sandbox "danger-full-access".`,
    );
    this.name = "SandboxUnavailableError";
  }
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/** Finds an executable named `name` on a PATH string. */
export function whichOnPath(name: string, pathVar: string | undefined): string | null {
  for (const dir of (pathVar ?? "").split(":")) {
    if (dir === "") continue;
    const full = `${dir.replace(/\/+$/, "")}/${name}`;
    try {
      const st = Deno.statSync(full);
      if (st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0) return full;
    } catch {
      // not here
    }
  }
  return null;
}

type ProbeResult = { ok: true; path: string } | { ok: false; reason: string };

/** One probe per bwrap binary per process: the answer cannot change while we run. */
const probes = new Map<string, Promise<ProbeResult>>();

async function runProbe(
  path: string,
  env: Record<string, string | undefined>,
): Promise<ProbeResult> {
  const trueBin = whichOnPath("true", env["PATH"] ?? "/usr/bin:/bin") ?? "/bin/true";
  const argv = wrapArgv([trueBin], { kind: "readOnly", network: false }, path, "/");
  try {
    const out = await new Deno.Command(argv[0] as string, {
      args: argv.slice(1),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.success) return { ok: true, path };
    const stderr = new TextDecoder().decode(out.stderr).trim();
    const detail = `${path} failed to start a sandbox (exit ${out.code})` +
      (stderr ? `: ${stderr}` : "");
    return { ok: false, reason: new SandboxUnavailableError(detail).message };
  } catch (error) {
    const msg = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: new SandboxUnavailableError(`cannot run ${path}: ${msg}`).message };
  }
}

/**
 * Probes once per process (per bwrap binary): finds bwrap on PATH (or `CODEX_BWRAP_PATH`)
 * and runs a trivial sandboxed `true` with the flags we use, so failures show up before
 * a real command runs. The reason is a full user-facing message.
 */
export function probeBwrap(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<ProbeResult> {
  const override = env["CODEX_BWRAP_PATH"];
  const path = override && override !== "" ? override : whichOnPath("bwrap", env["PATH"]);
  if (path === null) {
    return Promise.resolve({
      ok: false,
      reason: new SandboxUnavailableError("`bwrap` was not found on PATH").message,
    });
  }
  let probe = probes.get(path);
  if (!probe) {
    probe = runProbe(path, env);
    probes.set(path, probe);
  }
  return probe;
}

/**
 * The argv that runs `argv` inside the sandbox (unchanged for none). No --new-session, to
 * keep terminal semantics simple; --die-with-parent so killing bwrap kills the command.
 * Binds come after the read-only root, and read-only subpaths after the binds, so they win.
 * Non-root callers need --unshare-user to be allowed to create the namespaces.
 */
export function wrapArgv(
  argv: string[],
  spec: SandboxSpec,
  bwrapPath: string,
  cwd: string,
): string[] {
  if (spec.kind === "none") return [...argv];
  const out = [bwrapPath, "--die-with-parent", "--unshare-pid"];
  if (!isRoot()) out.push("--unshare-user");
  if (!spec.network) out.push("--unshare-net");
  out.push("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc");
  if (spec.kind === "workspaceWrite") {
    for (const root of spec.writableRoots) out.push("--bind", root, root);
    for (const sub of spec.readOnlySubpaths) out.push("--ro-bind", sub, sub);
  }
  out.push("--chdir", cwd, "--", ...argv);
  return out;
}

const DENIAL_MARKERS = [
  "read-only file system",
  "permission denied",
  "operation not permitted",
  "network is unreachable",
  "could not resolve host",
  "temporary failure in name resolution",
  "name or service not known",
  "connection refused",
  "cannot assign requested address",
];

/** Heuristic telling a sandbox denial from an ordinary failure, so callers can offer a retry. */
export function looksSandboxDenied(spec: SandboxSpec, exitCode: number, output: string): boolean {
  if (spec.kind === "none" || exitCode === 0) return false;
  const lower = output.toLowerCase();
  if (DENIAL_MARKERS.slice(0, 3).some((m) => lower.includes(m))) return true;
  return !spec.network && DENIAL_MARKERS.slice(3).some((m) => lower.includes(m));
}
