import { execTool } from "./exec.js";
import { httpRequestTool } from "./http-request.js";
import { listFilesTool } from "./list-files.js";
import {
  listSharedStateTool,
  publishEventTool,
  readSharedStateTool,
  writeSharedStateTool,
} from "./mesh/blackboard.js";
import { listAgentsTool, readAgentHistoryTool, saveArtifactTool } from "./mesh/fleet.js";
import { sendMessageTool, subscribeTopicTool, unsubscribeTopicTool } from "./mesh/messaging.js";
import { listCronTool, removeCronTool, setCronTool, setHeartbeatTool } from "./mesh/schedule.js";
import { readFileTool } from "./read-file.js";
import { ToolRegistry } from "./registry.js";
import { spawnAgentTool } from "./spawn-agent.js";
import type { Tool } from "./types.js";
import { webSearchTool } from "./web-search.js";
import { writeFileTool } from "./write-file.js";

/** Every built-in tool, in one explicit list (no registration by import side effect). */
export const BUILTIN_TOOLS: readonly Tool[] = [
  execTool,
  readFileTool,
  writeFileTool,
  listFilesTool,
  httpRequestTool,
  webSearchTool,
  listAgentsTool,
  readSharedStateTool,
  writeSharedStateTool,
  listSharedStateTool,
  publishEventTool,
  sendMessageTool,
  subscribeTopicTool,
  unsubscribeTopicTool,
  saveArtifactTool,
  setCronTool,
  listCronTool,
  removeCronTool,
  setHeartbeatTool,
  readAgentHistoryTool,
  spawnAgentTool,
];

export const builtinRegistry = (): ToolRegistry => new ToolRegistry(BUILTIN_TOOLS);
