/**
 * The one error type that reaches the wire. Handlers throw `RpcError`; the router turns it
 * into `{error: {code, message, data?}}`. Factories keep the reference's exact texts in one
 * place.
 *
 * @module
 */

import type { ErrorObject } from "./message.ts";

/** Error codes in use. -32600 is the reference's catch-all for client mistakes. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InternalError: -32603,
  Overloaded: -32001,
} as const;

/** An error with the code, message and optional data that go on the wire unchanged. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }

  /** The wire form; `data` is omitted when absent, as the reference does. */
  toErrorObject(): ErrorObject {
    const obj: ErrorObject = { code: this.code, message: this.message };
    if (this.data !== undefined) obj.data = this.data;
    return obj;
  }
}

/** `-32600` with the given text. */
export function invalidRequest(message: string, data?: unknown): RpcError {
  return new RpcError(ErrorCode.InvalidRequest, message, data);
}

/** A request sent before `initialize`. */
export function notInitialized(): RpcError {
  return invalidRequest("Not initialized");
}

/** A second `initialize` on one connection. */
export function alreadyInitialized(): RpcError {
  return invalidRequest("Already initialized");
}

/** An experimental method or field used without the capability. */
export function experimentalRequired(descriptor: string): RpcError {
  return invalidRequest(`${descriptor} requires experimentalApi capability`);
}

/** An unknown method (the reference says -32600; we say -32601, see README). */
export function methodNotFound(method: string): RpcError {
  return new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
}

/** A protocol method whose implementation has not landed; it must not pretend to work. */
export function notImplemented(method: string): RpcError {
  return new RpcError(
    ErrorCode.MethodNotFound,
    `${method} is not implemented in this version of the server`,
    { reason: "notImplemented", method },
  );
}

/** Input that is not JSON (the reference drops it silently; we answer). */
export function parseError(detail: string): RpcError {
  return new RpcError(ErrorCode.ParseError, `Parse error: ${detail}`);
}

/** Inbound queue full; `data` tells the client when to come back. */
export function overloaded(retryAfterMs: number): RpcError {
  return new RpcError(ErrorCode.Overloaded, "Server overloaded; retry later.", {
    reason: "inboundQueueFull",
    retryAfterMs,
  });
}

/** A server-side failure. */
export function internalError(message: string): RpcError {
  return new RpcError(ErrorCode.InternalError, message);
}

/** Converts anything thrown by a handler into an `RpcError`, hiding nothing useful. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return internalError(message);
}
