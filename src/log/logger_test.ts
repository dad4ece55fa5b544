import assert from "node:assert/strict";
import {
  configureLogging,
  flushLogs,
  formatJsonLine,
  formatTextLine,
  formatTimestamp,
  getLogger,
  parseLogFilter,
  parseLogFormat,
  verbosityFor,
} from "./logger.ts";

const FIXED_MS = Date.UTC(2026, 10, 22, 1, 51, 49, 233) + 0.17;

Deno.test("parseLogFilter() matches targets like tracing's EnvFilter", () => {
  const cases: [string | undefined, string, number][] = [
    [undefined, "codex_app_server", 1],
    ["", "codex_app_server", 1],
    ["info", "anything", 3],
    ["INFO", "anything", 3],
    ["3", "anything", 3],
    ["0", "anything", 0],
    ["off", "anything", 0],
    ["warn,info", "x", 3],
    ["info,warn", "x", 2],
    ["codex_app_server=debug", "codex_app_server::transport", 4],
    ["codex_app_server=debug", "codex_core", 0],
    ["codex_app=trace", "codex_app_server::transport", 5],
    ["codex_app_server", "codex_app_server::x", 5],
    ["codex_app_server=", "codex_app_server::x", 5],
    ["Codex_App_Server=info", "codex_app_server", 0],
    ["codex_app_server::transport=debug,codex_app_server=off", "codex_app_server::transport", 4],
    ["codex_app_server::transport=debug,codex_app_server=off", "codex_app_server", 0],
    ["codex_app_server=off,codex_app_server::transport=debug", "codex_app_server::transport", 4],
    ["error,codex_core=trace", "codex_app_server", 1],
    ["a=info,a=error", "a", 1],
    ["info,,", "x", 3],
    [" info ", "x", 0],
    ["[span]=info", "x", 0],
    ["=info", "x", 1],
    ["foo=bogus", "x", 1],
    ["foo=bogus,warn", "x", 2],
  ];
  for (const [spec, target, expected] of cases) {
    assert.equal(verbosityFor(parseLogFilter(spec), target), expected, `${spec} / ${target}`);
  }
});

Deno.test("parseLogFilter() words warnings for ignored directives like tracing", () => {
  assert.deepEqual(parseLogFilter("info,foo=bogus,=info,ok=debug").warnings, [
    'ignoring `foo=bogus`: error parsing level filter: expected one of "off", "error", "warn", "info", "debug", "trace", or a number 0-5',
    "ignoring `=info`: invalid filter directive",
  ]);
  assert.deepEqual(parseLogFilter("info").warnings, []);
});

Deno.test("parseLogFormat() accepts trimmed, case-insensitive json", () => {
  assert.equal(parseLogFormat("json"), "json");
  assert.equal(parseLogFormat(" JSON\n"), "json");
  assert.equal(parseLogFormat("jsonl"), "text");
  assert.equal(parseLogFormat(undefined), "text");
});

Deno.test("formatTimestamp() prints six fractional digits in UTC", () => {
  assert.equal(formatTimestamp(FIXED_MS), "2026-11-22T01:51:49.233170Z");
  assert.equal(formatTimestamp(Date.UTC(2026, 0, 1)), "2026-01-01T00:00:00.000000Z");
});

Deno.test("formatJsonLine() emits the four keys in the reference order", () => {
  const line = formatJsonLine({
    timeMs: FIXED_MS,
    level: "error",
    target: "codex_app_server::transport",
    message: "boom",
    fields: { connection_id: 3, ok: true, note: "a b", obj: { x: 1 }, nothing: undefined },
  });
  assert.equal(
    line,
    '{"timestamp":"2026-11-22T01:51:49.233170Z","level":"ERROR","fields":{"message":"boom",' +
      '"connection_id":3,"ok":true,"note":"a b","obj":"{\\"x\\":1}","nothing":null},' +
      '"target":"codex_app_server::transport"}',
  );
  assert.deepEqual(Object.keys(JSON.parse(line)), ["timestamp", "level", "fields", "target"]);
});

Deno.test("formatTextLine() pads the level and quotes only values that need it", () => {
  const record = {
    timeMs: FIXED_MS,
    level: "warn" as const,
    target: "codex_app_server",
    message: "hello world",
    fields: { k: "v", k2: "v with spaces", n: 5, empty: "" },
  };
  assert.equal(
    formatTextLine(record, false),
    '2026-11-22T01:51:49.233170Z  WARN codex_app_server: hello world k=v k2="v with spaces" n=5 empty=""',
  );
  assert.equal(
    formatTextLine({ ...record, level: "error", fields: { k: "v" } }, true),
    "\x1b[2m2026-11-22T01:51:49.233170Z\x1b[0m \x1b[31mERROR\x1b[0m " +
      "\x1b[2mcodex_app_server\x1b[0m\x1b[2m:\x1b[0m hello world \x1b[3mk\x1b[0m\x1b[2m=\x1b[0mv",
  );
});

Deno.test("getLogger() filters per target and reports bad directives once", () => {
  const lines: string[] = [];
  configureLogging({
    rustLog: "warn,codex_app_server::transport=debug,x=nope",
    format: "json",
    sink: (line) => lines.push(line),
    now: () => FIXED_MS,
  });
  const transport = getLogger("codex_app_server::transport");
  const core = getLogger("codex_core");
  assert.equal(transport.enabled("debug"), true);
  assert.equal(transport.enabled("trace"), false);
  assert.equal(core.enabled("info"), false);
  transport.debug("shown", { peer: "127.0.0.1:5" });
  transport.trace("hidden");
  core.info("hidden");
  core.warn("shown too");
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^ignoring `x=nope`: error parsing level filter/);
  assert.equal(JSON.parse(lines[1]!).fields.peer, "127.0.0.1:5");
  assert.equal(JSON.parse(lines[2]!).level, "WARN");

  // Reconfiguring takes effect for loggers that already exist.
  configureLogging({ rustLog: "off", sink: (line) => lines.push(line) });
  assert.equal(core.enabled("error"), false);
});

Deno.test("logging drops lines when the queue is full and reports the count", async () => {
  const written: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const decoder = new TextDecoder();
  configureLogging({
    rustLog: "info",
    format: "text",
    color: false,
    now: () => FIXED_MS,
    queueBytes: 200,
    writer: async (chunk) => {
      await gate;
      // Take at most 10 bytes per call to exercise the partial-write loop.
      const n = Math.min(10, chunk.length);
      written.push(decoder.decode(chunk.subarray(0, n)));
      return n;
    },
  });
  const log = getLogger("t");
  for (let i = 0; i < 10; i++) log.info(`line ${i}`);
  release();
  await flushLogs();
  log.info("after");
  await flushLogs();
  const out = written.join("").trimEnd().split("\n");
  // Each line is 44 bytes, so four fit in 200 bytes; the other six were dropped.
  assert.deepEqual(out.map((l) => l.replace(/^.*?: /, "")), [
    "line 0",
    "line 1",
    "line 2",
    "line 3",
    "dropped 6 log lines (log queue full) dropped=6",
    "after",
  ]);
  assert.match(out[4]!, / WARN codex_app_server::log: /);
});

Deno.test("logging stops quietly when stderr fails", async () => {
  let calls = 0;
  configureLogging({
    rustLog: "info",
    writer: () => {
      calls++;
      return Promise.reject(new Deno.errors.BrokenPipe("closed"));
    },
  });
  const log = getLogger("t");
  log.info("one");
  await flushLogs();
  log.info("two");
  await flushLogs();
  assert.equal(calls, 1);
  configureLogging({ rustLog: "off", sink: () => {} });
});
