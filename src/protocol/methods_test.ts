import assert from "node:assert/strict";
import {
  clientRequests,
  experimentalUse,
  isNonDefault,
  type ParamsOf,
  serverNotifications,
  serverRequests,
} from "./methods.ts";
import { ThreadStartParams, TurnStartParams } from "./schema/mod.ts";

const tool = { name: "t", description: "d", inputSchema: {} };

Deno.test("the tables cover the 0.105 v2 protocol", () => {
  // 0.105's 47, plus `thread/unsubscribe` and `thread/turns/list` from later versions.
  assert.equal(Object.keys(clientRequests).length, 49);
  // 0.105's 35, plus `thread/closed` and `serverRequest/resolved` from later versions.
  assert.equal(Object.keys(serverNotifications).length, 37);
  assert.deepEqual(Object.keys(serverRequests).sort(), [
    "account/chatgptAuthTokens/refresh",
    "item/commandExecution/requestApproval",
    "item/fileChange/requestApproval",
    "item/tool/call",
    "item/tool/requestUserInput",
    "skill/requestApproval",
  ]);
  const withoutParams = Object.entries(clientRequests)
    .filter(([, spec]) => spec.params === null).map(([m]) => m).sort();
  assert.deepEqual(withoutParams, [
    "account/logout",
    "account/rateLimits/read",
    "config/mcpServer/reload",
    "configRequirements/read",
  ]);
});

Deno.test("experimental methods are reported by name, before any field", () => {
  for (
    const method of [
      "thread/backgroundTerminals/clean",
      "collaborationMode/list",
      "mock/experimentalMethod",
      "fuzzyFileSearch/sessionStart",
      "fuzzyFileSearch/sessionUpdate",
      "fuzzyFileSearch/sessionStop",
    ]
  ) {
    assert.equal(experimentalUse(method, {}), method);
  }
  assert.equal(experimentalUse("thread/list", {}), null);
  assert.equal(experimentalUse("no/such/method", { path: "/x" }), null);
  assert.equal(experimentalUse("toString", {}), null);
});

Deno.test("field gates use the reference's wording", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["thread/start", { dynamicTools: [tool] }, "thread/start.dynamicTools"],
    ["thread/start", { experimentalRawEvents: true }, "thread/start.experimentalRawEvents"],
    ["thread/start", { mockExperimentalField: "x" }, "thread/start.mockExperimentalField"],
    ["thread/start", { persistExtendedHistory: true }, "thread/start.persistFullHistory"],
    ["thread/resume", { threadId: "t", path: "/a" }, "thread/resume.path"],
    ["thread/resume", { threadId: "t", history: [{}] }, "thread/resume.history"],
    ["thread/resume", { persistExtendedHistory: true }, "thread/resume.persistFullHistory"],
    ["thread/fork", { threadId: "t", path: "/a" }, "thread/fork.path"],
    ["thread/fork", { persistExtendedHistory: true }, "thread/fork.persistFullHistory"],
    ["turn/start", { collaborationMode: { mode: "plan" } }, "turn/start.collaborationMode"],
    [
      "account/login/start",
      { type: "chatgptAuthTokens", accessToken: "a", chatgptAccountId: "b" },
      "account/login/start.chatgptAuthTokens",
    ],
  ];
  for (const [method, params, descriptor] of cases) {
    assert.equal(
      experimentalUse(method, params),
      descriptor,
      `${method} ${JSON.stringify(params)}`,
    );
  }
});

Deno.test("default values pass the gates; empty strings do not", () => {
  assert.equal(
    experimentalUse("thread/start", {
      dynamicTools: [],
      experimentalRawEvents: false,
      persistExtendedHistory: false,
      mockExperimentalField: null,
    }),
    null,
  );
  assert.equal(experimentalUse("account/login/start", { type: "apiKey", apiKey: "k" }), null);
  assert.equal(experimentalUse("turn/start", { collaborationMode: null }), null);
  assert.equal(experimentalUse("thread/resume", "not an object"), null);
  assert.equal(
    experimentalUse("thread/start", { mockExperimentalField: "" }),
    "thread/start.mockExperimentalField",
  );
  assert.equal(isNonDefault({}), true);
  assert.equal(isNonDefault(0), true);
});

Deno.test("several experimental fields: the first in the reference's order wins", () => {
  const all = {
    persistExtendedHistory: true,
    experimentalRawEvents: true,
    mockExperimentalField: "x",
    dynamicTools: [tool],
  };
  assert.equal(experimentalUse("thread/start", all), "thread/start.dynamicTools");
  const { dynamicTools: _, ...rest } = all;
  assert.equal(experimentalUse("thread/start", rest), "thread/start.mockExperimentalField");
  assert.equal(
    experimentalUse("thread/start", { persistExtendedHistory: true, experimentalRawEvents: true }),
    "thread/start.experimentalRawEvents",
  );
  assert.equal(
    experimentalUse("thread/resume", { persistExtendedHistory: true, path: "/a", history: [{}] }),
    "thread/resume.history",
  );
  assert.equal(
    experimentalUse("thread/fork", { persistExtendedHistory: true, path: "/a" }),
    "thread/fork.path",
  );
});

Deno.test("params ignore unknown fields and apply defaults", () => {
  const parsed: ParamsOf<"thread/start"> = ThreadStartParams.parse({
    model: "m",
    somethingNew: 1,
  });
  assert.equal(parsed.model, "m");
  assert.equal("somethingNew" in parsed, false);
  assert.equal(parsed.experimentalRawEvents, false);
  assert.equal(parsed.persistExtendedHistory, false);
});

Deno.test("params with a wrong type are rejected with the path of the culprit", () => {
  const bad = ThreadStartParams.safeParse({ model: 5 });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ["model"]);

  const nested = TurnStartParams.safeParse({
    threadId: "t",
    input: [{ type: "text", text: 1 }],
  });
  assert.equal(nested.success, false);
  assert.deepEqual(nested.error?.issues[0]?.path, ["input", 0, "text"]);

  assert.equal(clientRequests["thread/list"].params.safeParse("x").success, false);
});
