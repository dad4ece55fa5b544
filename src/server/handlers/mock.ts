/**
 * `mock/experimentalMethod`: the reference's experimental echo, used by clients and our
 * benchmarks to exercise the request path without touching the agent.
 *
 * @module
 */

import type { Handler } from "../router.ts";

/** Echoes `value` back. */
export const mockExperimentalMethod: Handler<"mock/experimentalMethod"> = (_ctx, params) => ({
  echoed: params.value ?? null,
});
