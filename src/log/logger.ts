/**
 * Structured logging to stderr, driven by the same knobs as the reference
 * (`RUST_LOG` in tracing `EnvFilter` syntax, `LOG_FORMAT=json`).
 *
 * stdout carries JSON-RPC, so logs only ever go to stderr. A parent that does
 * not drain stderr must never stall the server, so lines are queued in a
 * bounded buffer and written by one background task; overflow is dropped and
 * counted rather than blocking.
 *
 * @module
 */

/** Log levels, most severe first. */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/** Numeric verbosity: 0 = off, 1 = error … 5 = trace (same scale as `RUST_LOG=0..5`). */
export type Verbosity = 0 | 1 | 2 | 3 | 4 | 5;

const LEVEL_VERBOSITY: Record<LogLevel, Verbosity> = {
  error: 1,
  warn: 2,
  info: 3,
  debug: 4,
  trace: 5,
};

const LEVEL_NAMES = ["off", "error", "warn", "info", "debug", "trace"] as const;

/** Fallback when `RUST_LOG` is unset, empty, or has no valid directive. */
const DEFAULT_VERBOSITY: Verbosity = 1;

/** Default cap on queued, not yet written log bytes. */
export const DEFAULT_LOG_QUEUE_BYTES = 4 * 1024 * 1024;

/** Largest single write handed to stderr, so one call never holds a huge buffer. */
const MAX_WRITE_BYTES = 64 * 1024;

// --- RUST_LOG filter -------------------------------------------------------

interface TargetDirective {
  target: string;
  verbosity: Verbosity;
}

/** A parsed `RUST_LOG` value. */
export interface LogFilter {
  /** Verbosity for events whose target matches no target directive; `null` = off. */
  readonly defaultVerbosity: Verbosity | null;
  /** Target directives, longest target first (most specific wins). */
  readonly directives: readonly TargetDirective[];
  /** One message per ignored directive, worded like tracing's own warning. */
  readonly warnings: readonly string[];
}

const LEVEL_PARSE_ERROR =
  'error parsing level filter: expected one of "off", "error", "warn", "info", "debug", "trace", or a number 0-5';

function parseVerbosity(text: string): Verbosity | null {
  if (/^[0-5]$/.test(text)) return Number(text) as Verbosity;
  const index = LEVEL_NAMES.indexOf(text.toLowerCase() as typeof LEVEL_NAMES[number]);
  return index < 0 ? null : index as Verbosity;
}

/**
 * Parses a `RUST_LOG` value. Supported subset of `EnvFilter`: `level`,
 * `target`, `target=level`; levels are names (any case) or `0`-`5`.
 * Directives are not trimmed (tracing treats ` info` as a target), later
 * duplicates replace earlier ones, and span directives (`target[span]=level`)
 * are accepted but never match because this server records no spans.
 */
export function parseLogFilter(spec: string | undefined): LogFilter {
  const warnings: string[] = [];
  const targets = new Map<string, Verbosity>();
  let global: Verbosity | null = null;
  let valid = 0;
  for (const directive of (spec ?? "").split(",")) {
    if (directive === "") continue;
    const eq = directive.indexOf("=");
    const left = eq < 0 ? directive : directive.slice(0, eq);
    const right = eq < 0 ? null : directive.slice(eq + 1);
    if (right === null) {
      const level = parseVerbosity(directive);
      if (level !== null) {
        global = level;
        valid++;
        continue;
      }
    }
    if (left === "") {
      warnings.push(`ignoring \`${directive}\`: invalid filter directive`);
      continue;
    }
    let verbosity: Verbosity = 5;
    if (right !== null && right !== "") {
      const level = parseVerbosity(right);
      if (level === null) {
        warnings.push(`ignoring \`${directive}\`: ${LEVEL_PARSE_ERROR}`);
        continue;
      }
      verbosity = level;
    }
    valid++;
    if (left.includes("[")) continue;
    targets.delete(left);
    targets.set(left, verbosity);
  }
  const directives = [...targets].map(([target, verbosity]) => ({ target, verbosity }))
    .sort((a, b) => b.target.length - a.target.length);
  return {
    defaultVerbosity: valid === 0 ? DEFAULT_VERBOSITY : global,
    directives,
    warnings,
  };
}

/**
 * The most verbose level enabled for `target` (0 = nothing). Matching is a
 * plain string prefix, as in tracing: `codex_app` also covers
 * `codex_app_server::transport`.
 */
export function verbosityFor(filter: LogFilter, target: string): Verbosity {
  for (const directive of filter.directives) {
    if (target.startsWith(directive.target)) return directive.verbosity;
  }
  return filter.defaultVerbosity ?? 0;
}

// --- Formatting ---------------------------------------------------------------

/** Output shape selected by `LOG_FORMAT`. */
export type LogFormat = "text" | "json";

/** `LOG_FORMAT` is `json` after trimming, in any case; everything else is text. */
export function parseLogFormat(value: string | undefined): LogFormat {
  return value?.trim().toLowerCase() === "json" ? "json" : "text";
}

/** One event, as handed to a formatter. */
export interface LogRecord {
  /** Milliseconds since the epoch; fractions carry microseconds. */
  timeMs: number;
  level: LogLevel;
  target: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** RFC 3339 UTC with exactly six fractional digits, like tracing's default timer. */
export function formatTimestamp(timeMs: number): string {
  const wholeMs = Math.floor(timeMs);
  const micros = Math.min(999, Math.round((timeMs - wholeMs) * 1000));
  const iso = new Date(wholeMs).toISOString(); // 2026-11-22T01:51:49.233Z
  return `${iso.slice(0, -1)}${String(micros).padStart(3, "0")}Z`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v) ??
      String(value);
  } catch {
    return String(value);
  }
}

/** Field values stay flat scalars, as in the reference's JSON lines. */
function jsonFieldValue(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "undefined":
      return null;
    default:
      if (value === null) return null;
      if (value instanceof Error) return String(value);
      return safeJson(value);
  }
}

function textFieldValue(value: unknown): string {
  if (typeof value === "string") {
    return value !== "" && /^[^\s"'=\\\p{C}]+$/u.test(value) ? value : JSON.stringify(value);
  }
  if (value instanceof Error) return JSON.stringify(String(value));
  if (value !== null && typeof value === "object") return safeJson(value);
  return String(value);
}

/** `{"timestamp","level","fields":{"message",…},"target"}` in that key order. */
export function formatJsonLine(record: LogRecord): string {
  const fields: Record<string, unknown> = { message: record.message };
  for (const [key, value] of Object.entries(record.fields ?? {})) {
    if (key !== "message") fields[key] = jsonFieldValue(value);
  }
  return JSON.stringify({
    timestamp: formatTimestamp(record.timeMs),
    level: record.level.toUpperCase(),
    fields,
    target: record.target,
  });
}

const ANSI_LEVEL: Record<LogLevel, string> = {
  error: "31",
  warn: "33",
  info: "32",
  debug: "34",
  trace: "35",
};

/** `<ts> <LEVEL> <target>: <message> k=v`, optionally with tracing's ANSI styling. */
export function formatTextLine(record: LogRecord, color: boolean): string {
  const style = (code: string, text: string) => color ? `\x1b[${code}m${text}\x1b[0m` : text;
  const level = record.level.toUpperCase().padStart(5);
  let line =
    `${style("2", formatTimestamp(record.timeMs))} ${style(ANSI_LEVEL[record.level], level)} ` +
    `${style("2", record.target)}${style("2", ":")} ${record.message}`;
  for (const [key, value] of Object.entries(record.fields ?? {})) {
    if (key === "message") continue;
    line += ` ${style("3", key)}${style("2", "=")}${textFieldValue(value)}`;
  }
  return line;
}

// --- Output queue -------------------------------------------------------------

/** Writes some prefix of `chunk`, returning how many bytes were taken (like `Deno.stderr.write`). */
export type ChunkWriter = (chunk: Uint8Array) => Promise<number>;

const encoder = new TextEncoder();

/**
 * Bounded byte queue drained by a single async task. `push` never blocks or
 * throws; when the queue is full the line is dropped and counted, and a
 * notice with the count is queued as soon as there is room again.
 */
class LineQueue {
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #dropped = 0;
  #draining = false;
  #broken = false;
  #idle: (() => void)[] = [];
  readonly #write: ChunkWriter;
  readonly #limit: number;
  readonly #dropNotice: (count: number) => string;

  constructor(write: ChunkWriter, limit: number, dropNotice: (count: number) => string) {
    this.#write = write;
    this.#limit = limit;
    this.#dropNotice = dropNotice;
  }

  /** Lines dropped since the last notice. */
  get dropped(): number {
    return this.#dropped;
  }

  push(line: string): void {
    if (this.#broken) return;
    this.#flushDropNotice();
    const bytes = encoder.encode(line + "\n");
    if (this.#dropped > 0 || this.#queued + bytes.length > this.#limit) {
      this.#dropped++;
      return;
    }
    this.#enqueue(bytes);
  }

  /** Resolves once everything queued so far has been written (or output failed). */
  flush(): Promise<void> {
    if (!this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #flushDropNotice(): void {
    if (this.#dropped === 0) return;
    const notice = encoder.encode(this.#dropNotice(this.#dropped) + "\n");
    if (this.#queued + notice.length > this.#limit) return;
    this.#dropped = 0;
    this.#enqueue(notice);
  }

  #enqueue(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#queued += bytes.length;
    if (!this.#draining) {
      this.#draining = true;
      queueMicrotask(() => void this.#drain());
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#chunks.length > 0) {
        const batch = this.#takeBatch();
        let offset = 0;
        while (offset < batch.length) {
          const n = await this.#write(batch.subarray(offset));
          if (!(n > 0)) throw new Error("log writer made no progress");
          offset += n;
        }
        this.#queued -= batch.length;
        this.#flushDropNotice();
      }
    } catch {
      // stderr is gone (closed pipe, revoked permission): stop logging quietly.
      this.#broken = true;
      this.#chunks = [];
      this.#queued = 0;
    } finally {
      this.#draining = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #takeBatch(): Uint8Array {
    const first = this.#chunks.shift()!;
    if (first.length >= MAX_WRITE_BYTES || this.#chunks.length === 0) return first;
    const parts = [first];
    let size = first.length;
    while (this.#chunks.length > 0 && size + this.#chunks[0]!.length <= MAX_WRITE_BYTES) {
      const next = this.#chunks.shift()!;
      parts.push(next);
      size += next.length;
    }
    const batch = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      batch.set(part, at);
      at += part.length;
    }
    return batch;
  }
}

// --- Configuration and loggers ---------------------------------------------

/** Options for {@link configureLogging}; anything omitted comes from the environment. */
export interface LoggingOptions {
  /** Filter in `RUST_LOG` syntax; default `Deno.env.get("RUST_LOG")`. */
  rustLog?: string;
  /** `json` or anything else for text; default `Deno.env.get("LOG_FORMAT")`. */
  format?: string;
  /** Force ANSI colours on or off; default: stderr is a terminal and `NO_COLOR` is unset. */
  color?: boolean;
  /** Receives each finished line synchronously, bypassing the queue (tests, embedding). */
  sink?: (line: string) => void;
  /** Replaces `Deno.stderr.write` behind the queue. */
  writer?: ChunkWriter;
  /** Queue capacity in bytes; default {@link DEFAULT_LOG_QUEUE_BYTES}. */
  queueBytes?: number;
  /** Clock in epoch milliseconds (fractions = microseconds); default high-resolution wall time. */
  now?: () => number;
}

interface LogState {
  generation: number;
  filter: LogFilter;
  format: LogFormat;
  color: boolean;
  now: () => number;
  emit: (line: string) => void;
  queue: LineQueue | null;
}

function envGet(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function stderrIsTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

function defaultNow(): number {
  return performance.timeOrigin + performance.now();
}

const SELF_TARGET = "codex_app_server::log";

let state: LogState | null = null;
let generation = 0;

/**
 * (Re)configures logging. Ignored `RUST_LOG` directives are reported once
 * per call as plain `ignoring …` lines, as tracing does.
 */
export function configureLogging(options: LoggingOptions = {}): void {
  const filter = parseLogFilter(options.rustLog ?? envGet("RUST_LOG"));
  const format = parseLogFormat(options.format ?? envGet("LOG_FORMAT"));
  const noColor = envGet("NO_COLOR");
  const color = options.color ?? (stderrIsTerminal() && (noColor === undefined || noColor === ""));
  const now = options.now ?? defaultNow;
  const render = (record: LogRecord) =>
    format === "json" ? formatJsonLine(record) : formatTextLine(record, color);
  let queue: LineQueue | null = null;
  let emit: (line: string) => void;
  if (options.sink) {
    const sink = options.sink;
    emit = (line) => {
      try {
        sink(line);
      } catch {
        // A faulty sink must not break the caller.
      }
    };
  } else {
    const writer = options.writer ?? ((chunk: Uint8Array) => Deno.stderr.write(chunk));
    queue = new LineQueue(
      writer,
      options.queueBytes ?? DEFAULT_LOG_QUEUE_BYTES,
      (count) =>
        render({
          timeMs: now(),
          level: "warn",
          target: SELF_TARGET,
          message: `dropped ${count} log line${count === 1 ? "" : "s"} (log queue full)`,
          fields: { dropped: count },
        }),
    );
    const q = queue;
    emit = (line) => q.push(line);
  }
  state = { generation: ++generation, filter, format, color, now, emit, queue };
  for (const warning of filter.warnings) emit(warning);
}

function currentState(): LogState {
  if (state === null) configureLogging();
  return state!;
}

/** Resolves when every line logged so far has reached stderr (or stderr failed). */
export function flushLogs(): Promise<void> {
  return state?.queue?.flush() ?? Promise.resolve();
}

/** A logger bound to one target, e.g. `codex_app_server::transport`. */
export class Logger {
  readonly target: string;
  #generation = -1;
  #verbosity: Verbosity = 0;

  constructor(target: string) {
    this.target = target;
  }

  /** Cheap check so callers can skip building expensive fields. */
  enabled(level: LogLevel): boolean {
    const current = currentState();
    if (this.#generation !== current.generation) {
      this.#verbosity = verbosityFor(current.filter, this.target);
      this.#generation = current.generation;
    }
    return LEVEL_VERBOSITY[level] <= this.#verbosity;
  }

  /** Logs `message` with optional structured fields; never throws. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (!this.enabled(level)) return;
    const current = state!;
    try {
      const record: LogRecord = {
        timeMs: current.now(),
        level,
        target: this.target,
        message,
        ...(fields ? { fields } : {}),
      };
      current.emit(
        current.format === "json" ? formatJsonLine(record) : formatTextLine(record, current.color),
      );
    } catch {
      // Logging must never fail the caller.
    }
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log("error", message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log("warn", message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log("info", message, fields);
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log("debug", message, fields);
  }

  trace(message: string, fields?: Record<string, unknown>): void {
    this.log("trace", message, fields);
  }
}

const loggers = new Map<string, Logger>();

/** Returns the shared logger for `target` (Rust-style path, e.g. `codex_app_server::transport`). */
export function getLogger(target: string): Logger {
  let logger = loggers.get(target);
  if (!logger) {
    logger = new Logger(target);
    loggers.set(target, logger);
  }
  return logger;
}
