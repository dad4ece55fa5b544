/**
 * Reads the JUnit XML that `deno test --junit-path` writes and prints the counts CI looks
 * for. Deno's own summary line is not one the workplace CI recognises.
 *
 * Usage: deno run --allow-read tools/junit_summary.ts FILE [EXTRA_PASSED EXTRA_FAILED]
 *
 * @module
 */

/** Counts test cases and failed ones in a JUnit report. */
export function countJunit(xml: string): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  const cases = xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g);
  for (const m of cases) {
    const body = m[2] ?? "";
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (!/<skipped\b/.test(body)) passed++;
  }
  return { passed, failed };
}

if (import.meta.main) {
  const [file, extraPassed = "0", extraFailed = "0"] = Deno.args;
  if (!file) {
    Deno.stderr.writeSync(new TextEncoder().encode("usage: junit_summary.ts FILE\n"));
    Deno.exit(2);
  }
  let counts = { passed: 0, failed: 1 };
  try {
    counts = countJunit(await Deno.readTextFile(file));
  } catch {
    // no report: the test run itself failed to start; count that as a failure
  }
  const passed = counts.passed + Number(extraPassed);
  const failed = counts.failed + Number(extraFailed);
  Deno.stdout.writeSync(new TextEncoder().encode(`${passed} passed, ${failed} failed\n`));
}
