/**
 * The table of implemented methods. A protocol method missing here answers a clear
 * "not implemented in this version" error instead of pretending to work.
 *
 * @module
 */

import type { HandlerTable } from "../router.ts";
import {
  configBatchWrite,
  configRead,
  configRequirementsRead,
  configValueWrite,
} from "./config.ts";
import { initialize } from "./initialize.ts";
import { backgroundTerminalsClean, commandExec } from "./command_exec.ts";
import { mockExperimentalMethod } from "./mock.ts";
import {
  threadLoadedList,
  threadStart,
  turnInterrupt,
  turnStart,
  turnSteer,
} from "./thread_live.ts";
import { threadFork, threadRollback } from "./thread_fork.ts";
import { threadResume, threadUnsubscribe } from "./thread_resume.ts";
import { threadCompactStart } from "./thread_compact.ts";
import { threadTurnsList } from "./thread_turns.ts";
import {
  threadArchive,
  threadList,
  threadNameSet,
  threadRead,
  threadUnarchive,
} from "./threads.ts";

/** Every handler this build serves. */
export const handlers: HandlerTable = {
  "initialize": initialize,
  "mock/experimentalMethod": mockExperimentalMethod,
  "config/read": configRead,
  "config/value/write": configValueWrite,
  "config/batchWrite": configBatchWrite,
  "configRequirements/read": configRequirementsRead,
  "thread/list": threadList,
  "thread/read": threadRead,
  "thread/name/set": threadNameSet,
  "thread/archive": threadArchive,
  "thread/unarchive": threadUnarchive,
  "thread/start": threadStart,
  "thread/loaded/list": threadLoadedList,
  "thread/resume": threadResume,
  "thread/unsubscribe": threadUnsubscribe,
  "thread/fork": threadFork,
  "thread/rollback": threadRollback,
  "thread/turns/list": threadTurnsList,
  "turn/start": turnStart,
  "turn/steer": turnSteer,
  "turn/interrupt": turnInterrupt,
  "thread/compact/start": threadCompactStart,
  "thread/backgroundTerminals/clean": backgroundTerminalsClean,
  "command/exec": commandExec,
};
