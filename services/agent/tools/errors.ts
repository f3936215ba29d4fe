import { OlError } from "../../common/errors.js";

/**
 * Tool failures. They never reach HTTP: the loop turns them into tool results the model reads, so the
 * message must say what to do differently. Codes are listed in docs/errors/agent.md.
 */
export const ToolErrors = {
  pathRefused: (path: string, why: string) =>
    new OlError(
      "OL_ERR_AGENT_PATH_REFUSED",
      `path ${JSON.stringify(path.slice(0, 300))} refused: ${why}`,
      400,
    ),
  notFound: (path: string) => new OlError("OL_ERR_AGENT_TOOL_NOT_FOUND", `${path} does not exist`, 404),
  tooLarge: (what: string, limit: number) =>
    new OlError("OL_ERR_AGENT_TOOL_TOO_LARGE", `${what} exceeds the limit of ${limit}`, 413),
  readOnly: (path: string) =>
    new OlError(
      "OL_ERR_AGENT_TOOL_READ_ONLY",
      `${path} is operator-managed and read-only for write_file`,
      403,
    ),
  invalidArgs: (tool: string, issues: string) =>
    new OlError("OL_ERR_AGENT_TOOL_INVALID_ARGS", `invalid arguments for ${tool}: ${issues}`, 400),
  unknownTool: (tool: string, available: readonly string[]) =>
    new OlError(
      "OL_ERR_AGENT_TOOL_UNKNOWN",
      `there is no tool named ${JSON.stringify(tool.slice(0, 100))}; available: ${available.join(", ")}`,
      400,
    ),
  failed: (tool: string, message: string) =>
    new OlError("OL_ERR_AGENT_TOOL_FAILED", `${tool}: ${message}`, 500),
  http: (message: string) => new OlError("OL_ERR_AGENT_HTTP_REQUEST", message, 502),
  mesh: (status: number, code: string, message: string) =>
    new OlError("OL_ERR_AGENT_MESH_CALL", `mesh answered ${status} ${code}: ${message.slice(0, 500)}`, 502, {
      details: { status, mesh_code: code },
    }),
  spawnLimit: (message: string) => new OlError("OL_ERR_AGENT_SPAWN_LIMIT", message, 429),
  duplicateTool: (name: string) =>
    new OlError("OL_ERR_AGENT_DUPLICATE_TOOL", `tool ${JSON.stringify(name)} is registered twice`, 500),
  mcpUnavailable: (server: string, why: string) =>
    new OlError("OL_ERR_AGENT_MCP_UNAVAILABLE", `MCP server "${server}" is unavailable: ${why}`, 503),
  mcpTimeout: (tool: string, seconds: number) =>
    new OlError(
      "OL_ERR_AGENT_MCP_TIMEOUT",
      `${tool} did not answer within ${seconds} s (without progress); try smaller input or another tool`,
      504,
    ),
  mcpToolError: (tool: string, text: string) =>
    new OlError("OL_ERR_AGENT_MCP_TOOL_ERROR", `${tool} reported an error: ${text.slice(0, 2000)}`, 502),
} as const;
