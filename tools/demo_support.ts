/**
 * What the demo transcripts share: a server session over stdio whose every message is
 * printed (`->` sent, `<-` received; legacy `codex/event/*` left out), with ids and
 * timestamps shortened so a transcript stays readable, and optional automatic answers to the
 * server's requests (approvals).
 *
 * @module
 */

import { type Msg, StdioClient } from "../tests/support/clients.ts";
import { ServerProcess } from "../tests/support/server.ts";

export const out = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

/** One line of JSON, with ids and timestamps shortened so the transcript stays readable. */
export function show(arrow: string, m: Msg): void {
  const text = JSON.stringify(m, (key, value) => {
    if (typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(value)) {
      return `${value.slice(0, 8)}…`;
    }
    if (key === "path" && typeof value === "string") return `…/${value.split("/").pop()}`;
    if ((key === "createdAt" || key === "updatedAt") && typeof value === "number") return 0;
    return value;
  });
  out(`${arrow} ${text}`);
}

/** Options of {@linkcode session}. */
export interface SessionOptions {
  env?: Record<string, string>;
  /** Answers each server request (e.g. `{decision: "accept"}`); unanswered when absent. */
  answer?: (request: Msg) => unknown;
}

/**
 * Runs `body` against a fresh server on `home`, printing the exchange; `call` sends a request
 * (and for `turn/start` waits for the turn to complete).
 */
export async function session(
  home: string,
  title: string,
  body: (c: StdioClient, call: (method: string, params: Msg) => Promise<Msg>) => Promise<void>,
  opts: SessionOptions = {},
): Promise<void> {
  out(`\n# ${title}`);
  const server = await ServerProcess.start({ codexHome: home, env: opts.env });
  const c = new StdioClient(server);
  let seen = 0;
  const answered = new Set<unknown>();
  const flush = () => {
    for (const m of c.received.slice(seen)) {
      if (typeof m.method === "string" && m.method.startsWith("codex/event/")) continue;
      show("<-", m);
    }
    seen = c.received.length;
  };
  const answer = opts.answer;
  const responder = answer
    ? setInterval(() => {
      for (const m of c.received) {
        if (typeof m.method !== "string" || !("id" in m) || answered.has(m.id)) continue;
        answered.add(m.id);
        flush();
        const reply = { id: m.id, result: answer(m) };
        show("->", reply);
        void c.send(reply);
      }
    }, 20)
    : undefined;
  const call = async (method: string, params: Msg) => {
    flush();
    show("->", { method, params });
    const res = await c.request(method, params);
    flush();
    return res;
  };
  try {
    await call("initialize", { clientInfo: { name: "demo", title: null, version: "1.0" } });
    await body(c, async (method, params) => {
      const res = await call(method, params);
      if (method === "turn/start") {
        await c.waitFor((m) => m.method === "turn/completed");
        flush();
      }
      return res;
    });
  } finally {
    clearInterval(responder);
    await c.closeInput();
    await server.exited().catch(() => {});
    await server.close();
  }
}
