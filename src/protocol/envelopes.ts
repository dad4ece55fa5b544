/**
 * Whole-message schemas (`ClientRequest`, `ServerNotification`, `ServerRequest`) derived from
 * the method table, so a new method only needs its table entry. Each is a union over
 * `method`, one variant per method, like the reference's generated schema.
 *
 * @module
 */

import { z } from "zod";
import { clientRequests, serverNotifications, serverRequests } from "./methods.ts";
import { RequestId } from "./schema/jsonrpc.ts";

type Variant = z.ZodObject<{ method: z.ZodLiteral<string> } & z.ZodRawShape>;

function variants(
  entries: [string, { params: z.ZodType | null; experimental?: boolean }][],
  withId: boolean,
): [Variant, ...Variant[]] {
  const out = entries.map(([method, spec]) => {
    const variant = z.object({
      ...(withId ? { id: RequestId } : {}),
      method: z.literal(method),
      // Methods without params still name the member: absent or `null` only.
      params: spec.params ?? z.null().optional(),
    }) as Variant;
    return spec.experimental ? variant.meta({ experimental: true }) : variant;
  });
  return out as [Variant, ...Variant[]];
}

/** Any client → server request; experimental methods are marked so exports can drop them. */
export const ClientRequest = z.discriminatedUnion(
  "method",
  variants(Object.entries(clientRequests), true),
).meta({ id: "ClientRequest" });

/** Any server → client notification. */
export const ServerNotification = z.discriminatedUnion(
  "method",
  variants(Object.entries(serverNotifications).map(([m, params]) => [m, { params }]), false),
).meta({ id: "ServerNotification" });

/** Any server → client request. */
export const ServerRequest = z.discriminatedUnion(
  "method",
  variants(Object.entries(serverRequests), true),
).meta({ id: "ServerRequest" });
