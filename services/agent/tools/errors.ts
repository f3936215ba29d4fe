import { type CodeOf, errorKinds } from "../../common/errors.js";

const kind = errorKinds("AGENT");

/**
 * Tool failures. They never reach HTTP: the loop turns them into tool results the model reads, so the
 * message must say what to do differently. Codes are listed in docs/errors/agent.md.
 */
export const ToolErrors = {
  pathRefused: kind(
    "OL_ERR_AGENT_PATH_REFUSED",
    400,
    (path: string, why: string) => `path ${JSON.stringify(path.slice(0, 300))} refused: ${why}`,
  ),
  notFound: kind("OL_ERR_AGENT_TOOL_NOT_FOUND", 404, (path: string) => `${path} does not exist`),
  tooLarge: kind(
    "OL_ERR_AGENT_TOOL_TOO_LARGE",
    413,
    (what: string, limit: number) => `${what} exceeds the limit of ${limit}`,
  ),
  readOnly: kind(
    "OL_ERR_AGENT_TOOL_READ_ONLY",
    403,
    (path: string) => `${path} is operator-managed and read-only for write_file`,
  ),
  invalidArgs: kind(
    "OL_ERR_AGENT_TOOL_INVALID_ARGS",
    400,
    (tool: string, issues: string) => `invalid arguments for ${tool}: ${issues}`,
  ),
  unknownTool: kind(
    "OL_ERR_AGENT_TOOL_UNKNOWN",
    400,
    (tool: string, available: readonly string[]) =>
      `there is no tool named ${JSON.stringify(tool.slice(0, 100))}; available: ${available.join(", ")}`,
  ),
  failed: kind("OL_ERR_AGENT_TOOL_FAILED", 500, (tool: string, message: string) => `${tool}: ${message}`),
  http: kind("OL_ERR_AGENT_HTTP_REQUEST", 502, (message: string) => message),
  mesh: kind("OL_ERR_AGENT_MESH_CALL", 502, (status: number, code: string, message: string) => [
    `mesh answered ${status} ${code}: ${message.slice(0, 500)}`,
    { status, mesh_code: code },
  ]),
  spawnLimit: kind("OL_ERR_AGENT_SPAWN_LIMIT", 429, (message: string) => message),
  duplicateTool: kind(
    "OL_ERR_AGENT_DUPLICATE_TOOL",
    500,
    (name: string) => `tool ${JSON.stringify(name)} is registered twice`,
  ),
  mcpUnavailable: kind(
    "OL_ERR_AGENT_MCP_UNAVAILABLE",
    503,
    (server: string, why: string) => `MCP server "${server}" is unavailable: ${why}`,
  ),
  mcpTimeout: kind(
    "OL_ERR_AGENT_MCP_TIMEOUT",
    504,
    (tool: string, seconds: number) =>
      `${tool} did not answer within ${seconds} s (without progress); try smaller input or another tool`,
  ),
  mcpToolError: kind(
    "OL_ERR_AGENT_MCP_TOOL_ERROR",
    502,
    (tool: string, text: string) => `${tool} reported an error: ${text.slice(0, 2000)}`,
  ),
  browserUnavailable: kind(
    "OL_ERR_AGENT_BROWSER_UNAVAILABLE",
    503,
    (why: string) => `the browser is unavailable: ${why.slice(0, 500)}`,
  ),
  browserBlocked: kind("OL_ERR_AGENT_BROWSER_BLOCKED", 403, (url: string, why: string) => [
    `the egress proxy refused ${url.slice(0, 300)}: ${why.slice(0, 500)}`,
    { url: url.slice(0, 300) },
  ]),
  browserFailed: kind(
    "OL_ERR_AGENT_BROWSER_FAILED",
    502,
    (tool: string, why: string) => `${tool}: ${why.slice(0, 800)}`,
  ),
  browserStaleRef: kind("OL_ERR_AGENT_BROWSER_STALE_REF", 409, (why: string) => why),
} as const;

export type ToolCode = CodeOf<typeof ToolErrors>;
