import assert from "node:assert/strict";
import { countJunit } from "./junit_summary.ts";

Deno.test("countJunit counts passes, failures and skips", () => {
  const xml = `<testsuites><testsuite>
    <testcase name="a" time="0.1"/>
    <testcase name="b" time="0.1"></testcase>
    <testcase name="c"><failure message="boom">x</failure></testcase>
    <testcase name="d"><skipped/></testcase>
  </testsuite></testsuites>`;
  assert.deepEqual(countJunit(xml), { passed: 2, failed: 1 });
});
