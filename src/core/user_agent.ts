/**
 * The process-wide originator and the user-agent string Codex sends to model providers and
 * returns from `initialize`. The first client to initialize names the originator for the
 * whole process (unless `CODEX_INTERNAL_ORIGINATOR_OVERRIDE` is set); each later client only
 * changes the suffix.
 *
 * @module
 */

import { CLI_VERSION } from "./version.ts";

/** The originator used before any client has initialized. */
export const DEFAULT_ORIGINATOR = "codex_cli_rs";

/** Env var that pins the originator regardless of clients. */
export const ORIGINATOR_OVERRIDE_ENV = "CODEX_INTERNAL_ORIGINATOR_OVERRIDE";

/** True when `value` may be sent as an HTTP header value (no control characters). */
export function isValidHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x09) continue;
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** Holds the originator and UA suffix for one process. */
export class OriginatorState {
  #originator: string;
  #locked: boolean;
  #suffix: string | null = null;
  readonly #osToken: string;
  readonly #terminal: string;

  constructor(env: Record<string, string | undefined> = Deno.env.toObject()) {
    const override = env[ORIGINATOR_OVERRIDE_ENV];
    if (override !== undefined && isValidHeaderValue(override)) {
      this.#originator = override;
      this.#locked = true;
    } else {
      this.#originator = DEFAULT_ORIGINATOR;
      this.#locked = false;
    }
    this.#osToken = osToken();
    this.#terminal = terminalToken(env);
  }

  /** The current originator, sent as the `originator` header. */
  get originator(): string {
    return this.#originator;
  }

  /**
   * Records a client: the first one names the originator (unless overridden); every client
   * sets the UA suffix, as the reference does.
   */
  registerClient(name: string, version: string): void {
    if (!this.#locked) {
      this.#originator = name;
      this.#locked = true;
    }
    this.#suffix = `${name}; ${version}`.trim();
  }

  /** The user agent for a given client suffix (defaults to the last registered one). */
  userAgent(suffix: string | null = this.#suffix): string {
    const prefix = `${this.#originator}/${CLI_VERSION} (${this.#osToken}) ${this.#terminal}`;
    const trimmed = suffix?.trim() ?? "";
    const full = trimmed === "" ? prefix : `${prefix} (${trimmed})`;
    if (isValidHeaderValue(full)) return full;
    const sanitized = full.replace(/[^\x20-\x7e]/g, "_");
    if (isValidHeaderValue(sanitized)) return sanitized;
    return isValidHeaderValue(prefix) ? prefix : this.#originator;
  }
}

const DISTRO_NAMES: Record<string, string> = {
  debian: "Debian",
  ubuntu: "Ubuntu",
  fedora: "Fedora",
  arch: "Arch Linux",
  alpine: "Alpine Linux",
  centos: "CentOS",
  rhel: "Red Hat Enterprise Linux",
  opensuse: "openSUSE",
  "opensuse-leap": "openSUSE",
  "opensuse-tumbleweed": "openSUSE",
  nixos: "NixOS",
  amzn: "Amazon Linux",
  linuxmint: "Linux Mint",
  pop: "Pop!_OS",
  manjaro: "Manjaro",
  gentoo: "Gentoo Linux",
};

/** `<os type> <os version>; <arch>`, in the style of the reference. */
export function osToken(): string {
  const arch = Deno.build.os === "darwin" && Deno.build.arch === "aarch64"
    ? "arm64"
    : Deno.build.arch;
  return `${osTypeAndVersion()}; ${arch}`;
}

function osTypeAndVersion(): string {
  switch (Deno.build.os) {
    case "linux": {
      const release = readOsRelease();
      const id = release.get("ID") ?? "";
      const name = DISTRO_NAMES[id] ?? release.get("NAME") ?? "Linux";
      const version = release.get("VERSION_ID");
      return `${name} ${version ? semverish(version) : safeOsRelease()}`;
    }
    case "darwin":
      return `Mac OS ${safeOsRelease()}`;
    case "windows":
      return `Windows ${safeOsRelease()}`;
    default:
      return `${Deno.build.os} ${safeOsRelease()}`;
  }
}

function readOsRelease(): Map<string, string> {
  const map = new Map<string, string>();
  for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
    try {
      for (const line of Deno.readTextFileSync(path).split("\n")) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) map.set(m[1]!, m[2]!.replace(/^"(.*)"$/, "$1"));
      }
      return map;
    } catch {
      // try the next location
    }
  }
  return map;
}

function semverish(version: string): string {
  const parts = version.split(".");
  if (!parts.every((p) => /^\d+$/.test(p))) return version;
  while (parts.length < 3) parts.push("0");
  return parts.join(".");
}

function safeOsRelease(): string {
  try {
    return Deno.osRelease();
  } catch {
    return "unknown";
  }
}

/** Names the terminal the way the reference does; sanitised to a header-safe token. */
export function terminalToken(env: Record<string, string | undefined>): string {
  const get = (k: string) => {
    const v = env[k]?.trim();
    return v ? v : undefined;
  };
  const withVersion = (name: string, version: string | undefined) =>
    sanitizeToken(version ? `${name}/${version}` : name);
  const program = get("TERM_PROGRAM");
  if (program) return withVersion(program, get("TERM_PROGRAM_VERSION"));
  if (get("WEZTERM_VERSION")) return withVersion("WezTerm", get("WEZTERM_VERSION"));
  if (get("ITERM_SESSION_ID") || get("ITERM_PROFILE") || get("ITERM_PROFILE_NAME")) {
    return "iTerm.app";
  }
  if (get("TERM_SESSION_ID")) return "Apple_Terminal";
  const term = get("TERM");
  if (get("KITTY_WINDOW_ID") || term?.includes("kitty")) return "kitty";
  if (get("ALACRITTY_SOCKET") || term === "alacritty") return "Alacritty";
  if (get("KONSOLE_VERSION")) return withVersion("Konsole", get("KONSOLE_VERSION"));
  if (get("GNOME_TERMINAL_SCREEN")) return "gnome-terminal";
  if (get("VTE_VERSION")) return withVersion("VTE", get("VTE_VERSION"));
  if (get("WT_SESSION")) return "WindowsTerminal";
  if (term) return sanitizeToken(term);
  return "unknown";
}

function sanitizeToken(value: string): string {
  return value.replace(/[^A-Za-z0-9\-_./]/g, "_");
}
