import assert from "node:assert/strict";
import { ServerProcess } from "./support/server.ts";
import { StdioClient, WsClient } from "./support/clients.ts";

Deno.test("stdio: initialize then mock echo", async () => {
  const server = await ServerProcess.start();
  try {
    const client = new StdioClient(server);
    const init = await client.initialize({ experimentalApi: true });
    assert.match(init.result.userAgent, /^test-client\/0\.105\.0 /);
    const echo = await client.request("mock/experimentalMethod", { value: "x" });
    assert.deepEqual(echo.result, { echoed: "x" });
  } finally {
    await server.close();
  }
});

Deno.test("websocket: initialize then mock echo", async () => {
  const server = await ServerProcess.start({ args: ["--listen", "ws://127.0.0.1:0"] });
  try {
    const client = await WsClient.connect(await server.wsPort());
    const init = await client.initialize({ experimentalApi: true });
    assert.equal(init.result.platformOs, "linux");
    const echo = await client.request("mock/experimentalMethod", { value: "y" });
    assert.deepEqual(echo.result, { echoed: "y" });
    await client.close();
  } finally {
    await server.close();
  }
});
