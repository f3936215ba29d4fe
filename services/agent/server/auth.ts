import type { FastifyInstance } from "fastify";
import { tokensEqual } from "../../common/tokens.js";
import { AgentErrors } from "../errors.js";

const BEARER = /^Bearer (\S{1,512})$/;

/**
 * Every route, health included, needs `Authorization: Bearer <mesh token>` (ARCHITECTURE.md §5): the
 * agent's API accepts nothing else. The comparison is constant-time; the token is never logged.
 */
export function registerMeshAuth(app: FastifyInstance, meshToken: string): void {
  app.addHook("onRequest", async (req) => {
    const match = BEARER.exec(req.headers.authorization ?? "");
    if (!match?.[1] || !tokensEqual(match[1], meshToken)) throw AgentErrors.unauthenticated();
  });
}
