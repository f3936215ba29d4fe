import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DashboardRoutes } from "../../../common/contracts/dashboard-routes.js";
import { ProxyAdminRoutes } from "../../../common/contracts/proxy-admin-routes.js";
import { route } from "../../../common/http/route.js";
import type { MeshContext, MeshModule } from "../../context.js";
import { MeshErrors } from "../../errors.js";
import type { BlackboardService } from "../blackboard/service.js";
import { proxyAdmin } from "../operator/proxy-admin.js";
import { fileType, listAgentFiles, readAgentFile } from "./agent-files.js";
import { defaultAssetsDir, loadAssets, PAGE, SECURITY_HEADERS } from "./assets.js";
import { EventHub, type HubLimits } from "./event-hub.js";
import { cookieValue, SESSION_COOKIE, type Session } from "./sessions.js";

export interface DashboardDeps {
  /** The built bundle's directory (default: next to this module, where `npm run build` writes it). */
  assetsDir?: string | undefined;
  hub?: Partial<HubLimits>;
  /** The blackboard, whose committed changes join the event feed. */
  blackboard?: () => BlackboardService;
}

const view = (s: Session) => ({ csrf: s.csrf, expires_at: s.expiresAt });

/**
 * The fleet dashboard (docs/dashboard.md): its page and assets, the login that exchanges the operator
 * token or a one-time code for an HttpOnly SameSite=Strict session cookie (the auth hook then treats
 * the cookie as the operator, CSRF-checked: http/auth.ts), and the operator views it needs beyond the
 * CLI's: one live event feed, recent LLM calls, model cooldowns and the kill switch (relayed to the
 * proxy). Every response of this module carries the strict CSP.
 */
export function dashboardModule(deps: DashboardDeps = {}): MeshModule {
  let hub: EventHub | undefined;
  return {
    name: "dashboard",
    async routes(app: FastifyInstance, ctx: MeshContext) {
      const assets = loadAssets(deps.assetsDir ?? defaultAssetsDir());
      const events = new EventHub(ctx, deps.hub);
      hub = events;
      deps.blackboard?.().feed.listen((change) => events.blackboard(change));
      app.addHook("onSend", async (req, reply, payload) => {
        reply.headers(SECURITY_HEADERS);
        // An agent's file may not run script even when opened directly.
        if (req.routeOptions.url === DashboardRoutes.agentFile.path)
          reply.header("content-security-policy", "default-src 'none'; img-src 'self'; sandbox");
        return payload;
      });

      route(app, DashboardRoutes.dashboardPage, async (_req, reply) => {
        if (!assets.has("app.js")) throw MeshErrors.notFound("dashboard bundle (run `npm run build`)");
        return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(PAGE);
      });

      route(app, DashboardRoutes.dashboardAsset, async (req, reply) => {
        const asset = assets.get(req.params.file);
        if (!asset) throw MeshErrors.notFound(`dashboard asset ${JSON.stringify(req.params.file)}`);
        return reply.type(asset.type).header("cache-control", "no-cache").send(asset.body);
      });

      route(app, DashboardRoutes.login, async (req, reply) => {
        if (req.headers["sec-fetch-site"] === "cross-site") throw MeshErrors.csrf();
        const { token, code } = req.body;
        if (token !== undefined) {
          const who = ctx.identity.resolve(token);
          if (who === undefined) {
            audit(ctx, "anonymous", "denied", MeshErrors.unauthenticated.code, { why: "unknown token" });
            throw MeshErrors.unauthenticated("unknown token: log in with the operator token");
          }
          if (who.kind !== "operator") {
            audit(ctx, who.id, "denied", MeshErrors.wrongPrincipal.code, { why: "agent token" });
            throw MeshErrors.wrongPrincipal("operator");
          }
        } else if (!ctx.dashboard.redeem(code ?? "")) {
          audit(ctx, "anonymous", "denied", MeshErrors.unauthenticated.code, { why: "bad login code" });
          throw MeshErrors.unauthenticated(
            "login code unknown, used or expired: run `openlegion dashboard` again",
          );
        }
        const { id, session } = ctx.dashboard.create();
        audit(ctx, "operator", "ok", null, { with: token === undefined ? "code" : "token" });
        setCookie(reply, id, Math.floor(ctx.dashboard.ttlMs / 1000));
        return view(session);
      });

      route(app, DashboardRoutes.session, async (req) => view(currentSession(ctx, req)));

      route(app, DashboardRoutes.logout, async (req, reply) => {
        const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
        const ended = id !== undefined && ctx.dashboard.end(id);
        setCookie(reply, "", 0);
        return { ended };
      });

      route(app, DashboardRoutes.loginCode, async (_req, reply) => {
        const { code, expiresAt } = ctx.dashboard.issueCode();
        return reply.code(201).send({ code, expires_at: expiresAt });
      });

      route(app, DashboardRoutes.events, async (req, reply) => {
        const agent = req.query.agent ?? null;
        if (agent !== null) ctx.identity.agent(agent);
        if (events.full) throw MeshErrors.feedLimit(events.maxFeeds);
        reply.hijack();
        reply.raw.writeHead(200, {
          ...SECURITY_HEADERS,
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache",
          connection: "keep-alive",
          "x-accel-buffering": "no",
        });
        await events.open(reply.raw, agent);
        return reply;
      });

      route(app, DashboardRoutes.llmCalls, async (req) =>
        proxyAdmin(ctx, ProxyAdminRoutes.calls, ProxyAdminRoutes.calls.response[200], { query: req.query }),
      );

      route(app, DashboardRoutes.agentFiles, async (req) =>
        listAgentFiles(ctx, ctx.identity.agent(req.params.id), req.query.path),
      );

      route(app, DashboardRoutes.agentFile, async (req, reply) => {
        const path = req.params["*"];
        const body = await readAgentFile(ctx, ctx.identity.agent(req.params.id), path);
        const { type, download } = fileType(path, body);
        const name = (path.split("/").at(-1) ?? "file").replace(/[^\w.-]/g, "_");
        if (download) reply.header("content-disposition", `attachment; filename="${name}"`);
        return reply.type(type).header("cache-control", "no-store").send(body);
      });

      route(app, DashboardRoutes.modelHealth, async () =>
        proxyAdmin(ctx, ProxyAdminRoutes.modelHealth, ProxyAdminRoutes.modelHealth.response[200]),
      );

      for (const [contract, frozen] of [
        [DashboardRoutes.freeze, true],
        [DashboardRoutes.unfreeze, false],
      ] as const) {
        const proxyRoute = frozen ? ProxyAdminRoutes.freeze : ProxyAdminRoutes.unfreeze;
        route(app, contract, async (req) => {
          const agent = ctx.identity.agent(req.params.id);
          const action = frozen ? "agent.freeze" : "agent.unfreeze";
          try {
            const out = await proxyAdmin(ctx, proxyRoute, proxyRoute.response[200], {
              params: { id: agent.id },
            });
            ctx.audit({
              actor: "operator",
              action,
              target: agent.id,
              outcome: "ok",
              code: null,
              detail: null,
            });
            return out;
          } catch (error) {
            const code = MeshErrors.proxyUnavailable.code;
            ctx.audit({ actor: "operator", action, target: agent.id, outcome: "error", code, detail: null });
            throw error;
          }
        });
      }
    },
    async stop() {
      hub?.close();
    },
  };
}

function audit(
  ctx: MeshContext,
  actor: string,
  outcome: "ok" | "denied",
  code: string | null,
  detail: Record<string, unknown>,
): void {
  ctx.audit({ actor, action: "dashboard.login", target: "dashboard", outcome, code, detail });
}

function currentSession(ctx: MeshContext, req: FastifyRequest): Session {
  const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
  const session = id === undefined ? undefined : ctx.dashboard.get(id);
  if (!session) throw MeshErrors.notFound("dashboard session (the request used a bearer token)");
  return session;
}

/** HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it), Path=/ (the API). */
function setCookie(reply: FastifyReply, value: string, maxAgeS: number): void {
  reply.header(
    "set-cookie",
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}`,
  );
}
