/**
 * Shared setup of the Responses client tests (not a test file itself): a request body, an
 * originator, a provider pointing at a mock, and a collector that keeps the events seen
 * before an error.
 *
 * @module
 */

import { MockModelServer } from "../../../tests/support/mock_model.ts";
import { OriginatorState } from "../user_agent.ts";
import type { ModelEvent } from "./events.ts";
import { type Env, resolveProvider } from "./provider.ts";
import { buildResponsesRequest } from "./request.ts";
import type { StreamOptions } from "./responses_client.ts";

export const FAST = { baseMs: 5, maxMs: 50, jitter: 0.1 };
export const BODY = buildResponsesRequest({
  model: "mock-model",
  instructions: "test",
  input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }],
  promptCacheKey: "thread-1",
});

export function identity(): OriginatorState {
  const state = new OriginatorState({ TERM: "xterm" });
  state.registerClient("my_client", "9.9");
  return state;
}

export async function withMock(fn: (mock: MockModelServer) => Promise<void>): Promise<void> {
  const mock = await MockModelServer.start();
  try {
    await fn(mock);
  } finally {
    await mock.close();
  }
}

export function options(
  mock: MockModelServer,
  table: Record<string, unknown> = {},
  extra: Partial<StreamOptions> = {},
  env: Env = {},
): StreamOptions {
  const provider = resolveProvider(
    {
      mock: {
        name: "mock",
        base_url: mock.url,
        request_max_retries: 0,
        stream_max_retries: 0,
        ...table,
      } as never,
    },
    "mock",
    env,
  );
  return { provider, identity: identity(), env, backoff: FAST, ...extra };
}

export async function collect(
  stream: AsyncIterable<ModelEvent>,
): Promise<{ events: ModelEvent[]; error: unknown }> {
  const events: ModelEvent[] = [];
  try {
    for await (const e of stream) events.push(e);
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}

export const kinds = (events: ModelEvent[]) => events.map((e) => e.type);
