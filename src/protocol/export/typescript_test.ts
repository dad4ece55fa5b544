import assert from "node:assert/strict";
import { join } from "node:path";
import { buildTypeScriptFiles, writeTypeScript } from "./typescript.ts";

Deno.test("one file per type, with imports and index files", () => {
  const files = buildTypeScriptFiles({ experimental: true });
  const start = files.get("v2/ThreadStartParams.ts")!;
  assert.match(start, /import type \{ AskForApproval \} from "\.\/AskForApproval\.ts";/);
  assert.match(start, /export type ThreadStartParams = \{/);
  assert.match(start, /dynamicTools\?: Array<DynamicToolSpec> \| null;/);
  assert.match(files.get("ClientRequest.ts")!, /from "\.\/v2\/ThreadStartParams\.ts"/);
  assert.match(files.get("index.ts")!, /export \* as v2 from "\.\/v2\/index\.ts";/);
  assert.match(files.get("v2/index.ts")!, /export type \{ Thread \} from "\.\/Thread\.ts";/);
  assert.equal(
    files.get("RequestId.ts")!.trim().split("\n").pop(),
    "export type RequestId = string | number;",
  );
  const stable = buildTypeScriptFiles({ experimental: false });
  assert.doesNotMatch(stable.get("v2/ThreadStartParams.ts")!, /dynamicTools/);
});

for (const experimental of [true, false]) {
  Deno.test(`generated TypeScript type-checks (experimental: ${experimental})`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const count = await writeTypeScript(dir, { experimental });
      assert.ok(count > 200);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["check", "--no-config", "--quiet", join(dir, "index.ts")],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
