/**
 * The four JSON-RPC "lite" message kinds Codex speaks (JSON-RPC 2.0 without the `jsonrpc`
 * member), and the classifier that sorts an incoming value into one of them the way the
 * reference does: Request, then Notification, then Response, then Error.
 *
 * @module
 */

import { type BigRequestId, isBigRequestId } from "./id_source.ts";

/** A request id: a string or a 64-bit integer; echoed back unchanged. */
export type RequestId = string | number | BigRequestId;

/** A call that expects a response. */
export interface RequestMessage {
  id: RequestId;
  method: string;
  params?: unknown;
}

/** A one-way message. */
export interface NotificationMessage {
  method: string;
  params?: unknown;
}

/** A successful reply. */
export interface ResponseMessage {
  id: RequestId;
  result: unknown;
}

/** The error object carried by an error reply. */
export interface ErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A failed reply. `id` is null only for input that could not be read at all. */
export interface ErrorMessage {
  id: RequestId | null;
  error: ErrorObject;
}

/** Any outgoing message. */
export type OutgoingMessage =
  | RequestMessage
  | NotificationMessage
  | ResponseMessage
  | ErrorMessage;

/** The result of classifying one decoded JSON value. */
export type Classified =
  | { kind: "request"; message: RequestMessage }
  | { kind: "notification"; message: NotificationMessage }
  | { kind: "response"; message: ResponseMessage }
  | { kind: "error"; message: ErrorMessage & { id: RequestId } }
  | { kind: "invalid"; reason: string };

/** True for ids the reference accepts: strings and integers in the signed 64-bit range. */
export function isRequestId(value: unknown): value is RequestId {
  if (typeof value === "string") return true;
  if (typeof value === "number") return Number.isSafeInteger(value);
  return isBigRequestId(value);
}

/**
 * Sorts a decoded JSON value into a message kind. Unknown members are ignored. A `method`
 * with an id that is not a valid request id makes a notification (as in the reference,
 * which then ignores it); a value that fits no kind is `invalid`.
 */
export function classifyMessage(value: unknown): Classified {
  if (value === null || typeof value !== "object") {
    return { kind: "invalid", reason: "expected a JSON object" };
  }
  if (Array.isArray(value)) {
    return { kind: "invalid", reason: "batches (JSON arrays) are not supported" };
  }
  const v = value as Record<string, unknown>;
  if (typeof v.method === "string") {
    if (isRequestId(v.id)) {
      const message: RequestMessage = { id: v.id, method: v.method };
      if ("params" in v) message.params = v.params;
      return { kind: "request", message };
    }
    const message: NotificationMessage = { method: v.method };
    if ("params" in v) message.params = v.params;
    return { kind: "notification", message };
  }
  if ("method" in v) {
    return { kind: "invalid", reason: "`method` must be a string" };
  }
  if (isRequestId(v.id) && "result" in v) {
    return { kind: "response", message: { id: v.id, result: v.result } };
  }
  if (isRequestId(v.id) && isErrorObject(v.error)) {
    return { kind: "error", message: { id: v.id, error: v.error } };
  }
  return { kind: "invalid", reason: "the object is not a request, notification or response" };
}

function isErrorObject(value: unknown): value is ErrorObject {
  if (value === null || typeof value !== "object") return false;
  const e = value as Record<string, unknown>;
  return typeof e.code === "number" && Number.isInteger(e.code) &&
    typeof e.message === "string";
}
