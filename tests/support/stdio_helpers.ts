/**
 * Helpers shared by the stdio, bad-input and CLI end-to-end tests: a scoped server + client,
 * a "sentinel" round trip that proves everything sent before it has been handled, checks on
 * raw output lines, and a seeded PRNG so fuzz-style tests are reproducible.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ServerProcess, type SpawnOptions } from "./server.ts";
import { type Msg, StdioClient } from "./clients.ts";

/** UTF-8 encoder shared by the tests. */
export const enc: TextEncoder = new TextEncoder();

/** Env that pins the terminal token of the user agent, so it does not depend on the host. */
export const PINNED_TERMINAL_ENV: Record<string, string> = {
  TERM_PROGRAM: "e2e-term",
  TERM_PROGRAM_VERSION: "7.1",
};

/** Starts a stdio server, runs `fn` with it and a client, and always cleans up. */
export async function withStdio<T>(
  opts: SpawnOptions,
  fn: (client: StdioClient, server: ServerProcess) => Promise<T>,
): Promise<T> {
  const server = await ServerProcess.start(opts);
  try {
    const client = new StdioClient(server);
    return await fn(client, server);
  } finally {
    await server.close();
  }
}

/** Initializes with the experimental API on and asserts it worked. */
export async function initExperimental(client: StdioClient): Promise<Msg> {
  const init = await client.initialize({ experimentalApi: true });
  assert.ok(init.result, `initialize failed: ${JSON.stringify(init)}`);
  return init;
}

let sentinelCounter = 0;

/**
 * Sends a `mock/experimentalMethod` echo (needs an initialized, experimental connection) and
 * waits for its answer. Requests are handled in arrival order, so once it is answered every
 * earlier line has been handled. Returns the messages received between `from` and the
 * sentinel's reply (exclusive).
 */
export async function sentinel(client: StdioClient, from = 0): Promise<Msg[]> {
  const tag = `sentinel-${++sentinelCounter}`;
  const reply = await client.request("mock/experimentalMethod", { value: tag }, tag);
  assert.deepEqual(reply, { id: tag, result: { echoed: tag } });
  const at = client.received.indexOf(reply);
  return client.received.slice(from, at);
}

/**
 * Like {@linkcode sentinel} but works on a connection that is not initialized: any request
 * is answered `Not initialized`, which is still one in-order reply.
 */
export async function sentinelUninitialized(client: StdioClient, from = 0): Promise<Msg[]> {
  const tag = `sentinel-${++sentinelCounter}`;
  const reply = await client.request("thread/list", {}, tag);
  assert.deepEqual(reply, { error: { code: -32600, message: "Not initialized" }, id: tag });
  const at = client.received.indexOf(reply);
  return client.received.slice(from, at);
}

/** Asserts every line the server wrote is one JSON object without a `jsonrpc` member. */
export function assertWellFormedOutput(client: StdioClient): void {
  for (const line of client.rawReceived) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      assert.fail(`server wrote a line that is not JSON: ${line.slice(0, 200)}`);
    }
    assert.ok(
      value !== null && typeof value === "object" && !Array.isArray(value),
      `server wrote a non-object line: ${line.slice(0, 200)}`,
    );
    assert.ok(!("jsonrpc" in (value as object)), `server emitted jsonrpc: ${line.slice(0, 200)}`);
  }
}

/** Asserts `msg` is an error reply with this code and id (and message when given). */
export function assertError(
  msg: Msg | undefined,
  code: number,
  id: string | number | null,
  message?: string | RegExp,
): void {
  assert.ok(msg, "expected an error reply, got nothing");
  assert.equal(msg.id, id, `wrong id in ${JSON.stringify(msg)}`);
  assert.equal(msg.error?.code, code, `wrong code in ${JSON.stringify(msg)}`);
  if (typeof message === "string") assert.equal(msg.error.message, message);
  else if (message) assert.match(msg.error.message, message);
}

/** Mulberry32: a tiny, fast, seeded PRNG giving floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` pseudo-random bytes from `rand`. */
export function randomBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
