/**
 * Every protocol schema in one import. Each schema is a zod value plus a type of the same
 * name; the `id` in its metadata is the definition name used on the wire and in exports.
 *
 * @module
 */

export * from "./account.ts";
export * from "./apps.ts";
export * from "./common.ts";
export * from "./config.ts";
export * from "./config_write.ts";
export * from "./initialize.ts";
export * from "./items.ts";
export * from "./jsonrpc.ts";
export * from "./mcp.ts";
export * from "./misc.ts";
export * from "./models.ts";
export * from "./notifications.ts";
export * from "./response_item.ts";
export * from "./sandbox.ts";
export * from "./server_requests.ts";
export * from "./skills.ts";
export * from "./thread.ts";
export * from "./thread_methods.ts";
export * from "./turn.ts";
export * from "./user_input.ts";
