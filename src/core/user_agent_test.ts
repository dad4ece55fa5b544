import assert from "node:assert/strict";
import { isValidHeaderValue, OriginatorState, terminalToken } from "./user_agent.ts";

Deno.test("OriginatorState: the first client names the originator, later ones the suffix", () => {
  const s = new OriginatorState({ TERM: "xterm" });
  assert.equal(s.originator, "codex_cli_rs");
  s.registerClient("one", "1.0");
  s.registerClient("two", "2.0");
  assert.equal(s.originator, "one");
  assert.match(s.userAgent(), /^one\/0\.105\.0 \(.+; .+\) xterm \(two; 2\.0\)$/);
});

Deno.test("OriginatorState honours CODEX_INTERNAL_ORIGINATOR_OVERRIDE", () => {
  const s = new OriginatorState({ CODEX_INTERNAL_ORIGINATOR_OVERRIDE: "pinned" });
  s.registerClient("client", "1");
  assert.equal(s.originator, "pinned");
  assert.ok(s.userAgent().startsWith("pinned/"));
});

Deno.test("OriginatorState: empty name and version give the reference's odd suffix", () => {
  const s = new OriginatorState({ TERM: "xterm" });
  assert.ok(s.userAgent(" ; ").endsWith(" xterm (;)"));
});

Deno.test("isValidHeaderValue rejects control characters only", () => {
  assert.equal(isValidHeaderValue("my client café"), true);
  assert.equal(isValidHeaderValue(""), true);
  assert.equal(isValidHeaderValue("bad\rname"), false);
  assert.equal(isValidHeaderValue("a\u0001"), false);
});

Deno.test("terminalToken follows the detection order and sanitises", () => {
  assert.equal(
    terminalToken({ TERM_PROGRAM: "we ird", TERM_PROGRAM_VERSION: "1 2" }),
    "we_ird/1_2",
  );
  assert.equal(terminalToken({ TERM: "xterm-256color", VTE_VERSION: "7000" }), "VTE/7000");
  assert.equal(terminalToken({ TERM: "screen" }), "screen");
  assert.equal(terminalToken({}), "unknown");
});
