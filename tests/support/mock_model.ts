/**
 * A scripted stand-in for the OpenAI Responses API, for tests of the model client and the
 * turn loop. It listens on 127.0.0.1 only, records every request, and answers each
 * `POST /v1/responses` with the next queued script (FIFO). A request with nothing queued
 * gets a 500 that says so, which turns a missing `enqueue` into a readable test failure
 * instead of a hang.
 *
 * Scripts are built from small helpers (`textTurn`, `turn`, `reasoning`, `functionCall`,
 * `failed`, `httpError`, `stall`, `hangAfter`, `disconnectAfter`) so a test reads like the
 * conversation it simulates.
 *
 * @module
 */

/** One request as the mock saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/v1/responses`. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The parsed JSON body, or null when the body was empty or not JSON. */
  body: unknown;
  text: string;
}

/** One step of an SSE script. */
export type MockStep =
  | { kind: "event"; type: string; data: Record<string, unknown> }
  | { kind: "pause"; ms: number }
  | { kind: "raw"; text: string };

/** The answer to one request. */
export interface MockScript {
  status?: number;
  headers?: Record<string, string>;
  /** A plain (non-SSE) body; `steps` are ignored when set. */
  body?: string;
  steps?: MockStep[];
  /**
   * After the steps: `close` ends the body normally (a stream without `response.completed`
   * is what a dropped provider connection looks like to the client); `hang` keeps it open
   * until the client goes away or the server closes.
   *
   * There is no mode that resets the socket: Deno's server logs an errored body to stderr,
   * which would litter test output. Client tests cover that path with a fake `fetch`.
   */
  end?: "close" | "hang";
}

/** Token counts for `response.completed`; missing fields take small defaults. */
export interface MockUsage {
  inputTokens?: number;
  cachedInputTokens?: number;
  outputTokens?: number;
  reasoningOutputTokens?: number;
  totalTokens?: number;
}

type Part = MockStep | MockStep[];

/** An SSE event step. */
export function event(type: string, data: Record<string, unknown> = {}): MockStep {
  return { kind: "event", type, data: { type, ...data } };
}

/** Waits `ms` before the next step (for idle-timeout and ordering tests). */
export function stall(ms: number): MockStep {
  return { kind: "pause", ms };
}

/** Bytes sent as they are (comments, malformed frames, CRLF variants). */
export function raw(text: string): MockStep {
  return { kind: "raw", text };
}

export function responseCreated(responseId = "resp_mock"): MockStep {
  return event("response.created", { response: { id: responseId } });
}

/** `response.completed` with usage in the Responses API shape. */
export function responseCompleted(responseId = "resp_mock", usage: MockUsage = {}): MockStep {
  const input = usage.inputTokens ?? 10;
  const output = usage.outputTokens ?? 5;
  return event("response.completed", {
    response: {
      id: responseId,
      usage: {
        input_tokens: input,
        input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
        output_tokens: output,
        output_tokens_details: { reasoning_tokens: usage.reasoningOutputTokens ?? 0 },
        total_tokens: usage.totalTokens ?? input + output,
      },
    },
  });
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}_${++counter}`;

/** An assistant message item: added, the deltas (default: none), done with the full text. */
export function message(text: string, opts: { id?: string; deltas?: string[] } = {}): MockStep[] {
  const id = opts.id ?? nextId("msg");
  const item = (content: unknown[]) => ({ type: "message", role: "assistant", id, content });
  return [
    event("response.output_item.added", { item: item([]) }),
    ...(opts.deltas ?? []).map((delta) =>
      event("response.output_text.delta", { item_id: id, output_index: 0, content_index: 0, delta })
    ),
    event("response.output_item.done", {
      item: item([{ type: "output_text", text, annotations: [] }]),
    }),
  ];
}

/** A reasoning item with summary parts (each streamed as one delta) and optional raw text. */
export function reasoning(
  opts: { id?: string; summary?: string[]; content?: string[]; encrypted?: string } = {},
): MockStep[] {
  const id = opts.id ?? nextId("rs");
  const summary = opts.summary ?? [];
  const content = opts.content ?? [];
  const steps: MockStep[] = [
    event("response.output_item.added", { item: { type: "reasoning", id, summary: [] } }),
  ];
  summary.forEach((text, summaryIndex) => {
    steps.push(
      event("response.reasoning_summary_part.added", { item_id: id, summary_index: summaryIndex }),
    );
    steps.push(
      event("response.reasoning_summary_text.delta", {
        item_id: id,
        summary_index: summaryIndex,
        delta: text,
      }),
    );
  });
  content.forEach((text, contentIndex) =>
    steps.push(
      event("response.reasoning_text.delta", {
        item_id: id,
        content_index: contentIndex,
        delta: text,
      }),
    )
  );
  const done: Record<string, unknown> = {
    type: "reasoning",
    id,
    summary: summary.map((text) => ({ type: "summary_text", text })),
  };
  if (content.length > 0) {
    done["content"] = content.map((text) => ({ type: "reasoning_text", text }));
  }
  if (opts.encrypted !== undefined) done["encrypted_content"] = opts.encrypted;
  steps.push(event("response.output_item.done", { item: done }));
  return steps;
}

/** A function tool call (`arguments` is JSON-encoded when given as an object). */
export function functionCall(
  name: string,
  args: string | Record<string, unknown>,
  callId: string = nextId("call"),
): MockStep[] {
  const item = {
    type: "function_call",
    id: nextId("fc"),
    call_id: callId,
    name,
    arguments: typeof args === "string" ? args : JSON.stringify(args),
  };
  return [
    event("response.output_item.added", { item }),
    event("response.output_item.done", { item }),
  ];
}

/** A freeform (custom) tool call such as `apply_patch`. */
export function customToolCall(name: string, input: string, callId = nextId("call")): MockStep[] {
  const item = { type: "custom_tool_call", id: nextId("ctc"), call_id: callId, name, input };
  return [
    event("response.output_item.added", { item }),
    event("response.output_item.done", { item }),
  ];
}

/** A whole successful response: `created`, the parts, `completed` with usage. */
export function turn(
  parts: Part[],
  opts: { responseId?: string; usage?: MockUsage } = {},
): MockScript {
  const id = opts.responseId ?? nextId("resp");
  return {
    steps: [responseCreated(id), ...parts.flat(), responseCompleted(id, opts.usage)],
  };
}

/** A response with one assistant message. */
export function textTurn(
  text: string,
  opts: { id?: string; deltas?: string[]; responseId?: string; usage?: MockUsage } = {},
): MockScript {
  return turn([message(text, { id: opts.id, deltas: opts.deltas })], opts);
}

/** A stream that reports `response.failed` with an error code. */
export function failed(code: string, errorMessage: string): MockScript {
  const id = nextId("resp");
  return {
    steps: [
      responseCreated(id),
      event("response.failed", {
        response: { id, status: "failed", error: { code, message: errorMessage } },
      }),
    ],
  };
}

/** A non-SSE HTTP answer, e.g. `httpError(429, "...", {"retry-after": "1"})`. */
export function httpError(
  status: number,
  body = "",
  headers: Record<string, string> = {},
): MockScript {
  return { status, body, headers };
}

/** The first `n` event steps of `script` (pauses kept), then the stream stays open. */
export function hangAfter(n: number, script: MockScript): MockScript {
  return { ...script, steps: firstEvents(script.steps ?? [], n), end: "hang" };
}

/** The first `n` event steps of `script`, then the body ends without `response.completed`. */
export function disconnectAfter(n: number, script: MockScript): MockScript {
  return { ...script, steps: firstEvents(script.steps ?? [], n), end: "close" };
}

function firstEvents(steps: MockStep[], n: number): MockStep[] {
  const out: MockStep[] = [];
  let events = 0;
  for (const step of steps) {
    if (step.kind !== "pause" && events >= n) break;
    if (step.kind !== "pause") events++;
    out.push(step);
  }
  return out;
}

/** The SSE frame of one step. */
export function frame(step: MockStep): string {
  if (step.kind === "raw") return step.text;
  if (step.kind === "event") return `event: ${step.type}\ndata: ${JSON.stringify(step.data)}\n\n`;
  return "";
}

/** A running mock; see the module doc. */
export class MockModelServer {
  readonly requests: RecordedRequest[] = [];
  readonly #queue: MockScript[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #open = new Set<AbortController>();
  readonly #waiters = new Set<() => void>();
  #closing: Promise<void> | null = null;

  private constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (req) => this.#handle(req),
    );
  }

  /** Starts a server on a free loopback port. */
  static start(): Promise<MockModelServer> {
    return Promise.resolve(new MockModelServer());
  }

  /** The provider `base_url`: `http://127.0.0.1:PORT/v1`. */
  get url(): string {
    return `http://127.0.0.1:${this.#server.addr.port}/v1`;
  }

  /** Scripts not yet consumed. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues answers for the next requests, in order. */
  enqueue(...scripts: MockScript[]): void {
    this.#queue.push(...scripts);
  }

  /** Resolves once `n` requests have arrived; rejects after `timeoutMs`. */
  async waitForRequests(n: number, timeoutMs = 5_000): Promise<RecordedRequest[]> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => {
          const check = () => {
            if (this.requests.length < n) return;
            this.#waiters.delete(check);
            resolve();
          };
          this.#waiters.add(check);
          check();
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`mock model: ${this.requests.length}/${n} requests arrived`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return this.requests.slice(0, n);
  }

  /** Ends open streams and stops the server; safe to call more than once. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    for (const c of this.#open) c.abort();
    this.#waiters.clear();
    this.#closing = this.#server.shutdown();
    return this.#closing;
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const text = await req.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // recorded as text only
    }
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => headers[k] = v);
    this.requests.push({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      text,
    });
    for (const w of [...this.#waiters]) w();
    const n = this.requests.length;
    if (req.method !== "POST" || url.pathname !== "/v1/responses") {
      return Response.json({ error: { message: `mock model: no route ${url.pathname}` } }, {
        status: 404,
      });
    }
    const script = this.#queue.shift();
    if (!script) {
      return Response.json(
        { error: { message: `mock model: no script queued for request #${n}` } },
        { status: 500 },
      );
    }
    const status = script.status ?? 200;
    if (script.body !== undefined) {
      return new Response(script.body, { status, headers: script.headers });
    }
    return new Response(this.#stream(script), {
      status,
      headers: { "content-type": "text/event-stream", ...script.headers },
    });
  }

  #stream(script: MockScript): ReadableStream<Uint8Array> {
    const life = new AbortController();
    this.#open.add(life);
    const enc = new TextEncoder();
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        life.signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        (async () => {
          try {
            for (const step of script.steps ?? []) {
              if (life.signal.aborted) return;
              if (step.kind === "pause") await sleep(step.ms);
              else controller.enqueue(enc.encode(frame(step)));
            }
            if (script.end === "hang") await sleep(2 ** 31 - 1);
            controller.close();
          } catch {
            // the client went away; nothing to do
          } finally {
            this.#open.delete(life);
          }
        })();
      },
      cancel: () => life.abort(),
    });
  }
}

/** A user `config.toml` that points the server at a mock model server, with no retries. */
export function mockProviderConfig(url: string): string {
  return `model = "mock-model"\nmodel_provider = "mock"\napproval_policy = "never"\n` +
    `sandbox_mode = "read-only"\n\n[model_providers.mock]\nname = "mock"\n` +
    `base_url = "${url}"\nwire_api = "responses"\nrequest_max_retries = 0\n` +
    `stream_max_retries = 0\n`;
}
