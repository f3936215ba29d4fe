import { Agent, type Dispatcher } from "undici";
import { ApiClient } from "../../../common/client/api-client.js";
import { ToolErrors } from "../errors.js";

export const MESH_TIMEOUT_MS = 15_000;
export const MESH_MAX_RESPONSE_BYTES = 2_000_000;

const why = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The agent's binding of the typed client (services/common/client) to the mesh API, authenticated with
 * the agent token. Uses its own undici Agent: never the env's proxy settings, never the egress proxy
 * (the mesh is on the agent's own network). Failures become ToolErrors.mesh carrying the mesh's
 * status and code (`details.status`, `details.mesh_code`; status 0 = no answer).
 */
export class MeshClient extends ApiClient {
  constructor(meshUrl: string, agentToken: string, dispatcher?: Dispatcher) {
    super({
      baseUrl: meshUrl,
      token: agentToken,
      dispatcher:
        dispatcher ??
        new Agent({ connections: 8, headersTimeout: MESH_TIMEOUT_MS, bodyTimeout: MESH_TIMEOUT_MS }),
      timeoutMs: MESH_TIMEOUT_MS,
      maxReplyBytes: MESH_MAX_RESPONSE_BYTES,
      errors: {
        unreachable: (_url, err) => ToolErrors.mesh(0, "UNREACHABLE", why(err)),
        badReply: (message) => ToolErrors.mesh(502, "BAD_REPLY", message),
        refused: (status, code, message) => ToolErrors.mesh(status, code, message),
      },
    });
  }
}
