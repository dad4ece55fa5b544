/**
 * `--listen URL` parsing with the reference's accept/reject rules: exactly `stdio://`, or
 * `ws://` followed by a literal socket address (`a.b.c.d:port` or `[v6]:port`). Host names,
 * paths and other schemes are refused.
 *
 * @module
 */

/** Where the app-server listens. */
export type ListenTarget =
  | { kind: "stdio" }
  | { kind: "ws"; hostname: string; port: number; display: string };

/** A rejected `--listen` value; the message is the reference's wording. */
export class ListenUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ListenUrlError";
  }
}

/** Parses a `--listen` value or throws {@linkcode ListenUrlError}. */
export function parseListenUrl(url: string): ListenTarget {
  if (url === "stdio://") return { kind: "stdio" };
  if (!url.startsWith("ws://")) {
    throw new ListenUrlError(
      `unsupported --listen URL \`${url}\`; expected \`stdio://\` or \`ws://IP:PORT\``,
    );
  }
  const addr = parseSocketAddr(url.slice("ws://".length));
  if (!addr) {
    throw new ListenUrlError(
      `invalid websocket --listen URL \`${url}\`; expected \`ws://IP:PORT\``,
    );
  }
  return { kind: "ws", ...addr };
}

function parseSocketAddr(
  text: string,
): { hostname: string; port: number; display: string } | null {
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close === -1 || text[close + 1] !== ":") return null;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!isIpv6(host)) return null;
  } else {
    const colon = text.lastIndexOf(":");
    if (colon === -1) return null;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (!isIpv4(host)) return null;
  }
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null;
  const display = host.includes(":") ? `[${host}]` : host;
  return { hostname: host, port, display };
}

function isIpv4(text: string): boolean {
  const parts = text.split(".");
  if (parts.length !== 4) return false;
  return parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6(text: string): boolean {
  const zone = text.indexOf("%");
  const addr = zone === -1 ? text : text.slice(0, zone);
  if (zone !== -1 && !/^\d+$/.test(text.slice(zone + 1))) return false;
  if (!/^[0-9a-fA-F:.]+$/.test(addr) || addr.length < 2) return false;
  let groups = addr.split(":");
  const last = groups.at(-1)!;
  let needed = 8;
  if (last.includes(".")) {
    if (!isIpv4(last)) return false;
    groups = groups.slice(0, -1);
    needed = 6;
  }
  const doubleColon = addr.indexOf("::");
  if (doubleColon !== addr.lastIndexOf("::")) return false;
  const nonEmpty = groups.filter((g) => g !== "");
  if (!nonEmpty.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  if (doubleColon === -1) return groups.length === needed;
  return nonEmpty.length < needed;
}
