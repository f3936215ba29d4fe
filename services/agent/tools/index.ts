import type { AgentManifest } from "../../common/contracts/agent-manifest.js";
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
import { updateWorkspaceTool } from "./update-workspace.js";
import { webSearchTool } from "./web-search.js";
import { writeFileTool } from "./write-file.js";

/** The agent's own tools (files, exec, HTTP), in one explicit list (no registration by import side effect). */
export const LOCAL_TOOLS: readonly Tool[] = [
  execTool,
  readFileTool,
  writeFileTool,
  listFilesTool,
  httpRequestTool,
  webSearchTool,
  updateWorkspaceTool,
];

/** The tools that call the mesh as the agent (and spawn_agent, which runs in this process). */
export const MESH_TOOLS: readonly Tool[] = [
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

type MeshGrant = NonNullable<AgentManifest["mesh_grants"]>[number];

/** The mesh permission without which a mesh tool can only fail (tools not listed need none). */
const MESH_TOOL_GRANT: Record<string, MeshGrant> = {
  [readSharedStateTool.name]: "blackboard_read",
  [listSharedStateTool.name]: "blackboard_read",
  [writeSharedStateTool.name]: "blackboard_write",
  [saveArtifactTool.name]: "blackboard_write",
  [publishEventTool.name]: "can_publish",
  [sendMessageTool.name]: "can_message",
  [subscribeTopicTool.name]: "can_subscribe",
  [unsubscribeTopicTool.name]: "can_subscribe",
};

/** The mesh tools this agent's permissions make usable (all of them when the manifest does not say). */
export const meshToolsFor = (grants: AgentManifest["mesh_grants"]): readonly Tool[] =>
  grants === undefined
    ? MESH_TOOLS
    : MESH_TOOLS.filter((t) => {
        const needs = MESH_TOOL_GRANT[t.name];
        return needs === undefined || grants.includes(needs);
      });

/** Every built-in tool (local then mesh), the order the model sees them in. */
export const BUILTIN_TOOLS: readonly Tool[] = [...LOCAL_TOOLS, ...MESH_TOOLS];

export const builtinRegistry = (): ToolRegistry => new ToolRegistry(BUILTIN_TOOLS);
