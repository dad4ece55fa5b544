/**
 * Paths the model gives, resolved against the turn's working directory.
 *
 * @module
 */

/** `path` made absolute against `cwd` (no symlink resolution); `cwd` itself when null. */
export function resolvePath(cwd: string, path: string | null): string {
  if (path === null || path === "") return cwd;
  const joined = path.startsWith("/") ? path : `${cwd.replace(/\/+$/, "")}/${path}`;
  const out: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}
