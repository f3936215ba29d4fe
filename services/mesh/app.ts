import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { Agent, type Dispatcher } from "undici";
import type { MeshConfig } from "../common/contracts/mesh-config.js";
import { MeshRoutes } from "../common/contracts/mesh-routes.js";
import { registerErrorHandler } from "../common/http/error-handler.js";
import { registerJsonParser } from "../common/http/json-body.js";
import { route } from "../common/http/route.js";
import { type Clock, systemClock } from "./clock.js";
import type { MeshContext, MeshModule } from "./context.js";
import { Delivery } from "./delivery/delivery.js";
import { PublishHooks } from "./events.js";
import { registerAuth } from "./http/auth.js";
import { meshHttpErrors } from "./http/error-handler.js";
import { Identity } from "./identity.js";
import { defaultLimits, type MeshLimits } from "./limits.js";
import type { BlackboardService } from "./modules/blackboard/service.js";
import { DashboardSessions } from "./modules/dashboard/sessions.js";
import { defaultModules } from "./modules/index.js";
import { RequestCounters } from "./modules/metrics/plugin.js";
import type { MeshStore } from "./store/mesh-store.js";

export interface MeshDeps {
  config: MeshConfig;
  masterKey: string;
  store: MeshStore;
  clock?: Clock;
  /** HTTP client for calls to agents and the proxy; created (and closed with the app) when absent. */
  http?: Dispatcher;
  limits?: Partial<MeshLimits>;
  /** Per-agent subnet replacements, for tests on loopback (the check itself always runs). */
  subnetOverrides?: Record<string, string>;
  logger?: FastifyBaseLogger;
  /** Re-reads config.json and switches the live mesh to it (main.ts; POST /v1/admin/reload). */
  reloadConfig?: () => Promise<number>;
  /** Channel tokens by credential name (main.ts reads the Compose secrets); absent: none. */
  channelSecret?: (credential: string) => string | undefined;
  /** The dashboard bundle's directory (default: where `npm run build` writes it). */
  dashboardAssets?: string;
}

export interface MeshHandle {
  ctx: MeshContext;
  modules: readonly MeshModule[];
  blackboard: () => BlackboardService;
  /** Every registered route as "METHOD /path" (HEAD omitted), for docs checks and diagnostics. */
  routes: readonly string[];
  /** Runs one GC pass now (tests; the background loop does the same on its interval). */
  gc: () => number;
  /** Stops modules' background work and delivery (once; close does it too). A reload stops the old app's
   * background at once and closes the app when its last request or stream ends (reload.ts). */
  stopBackground: () => Promise<void>;
}

declare module "fastify" {
  interface FastifyInstance {
    mesh: MeshHandle;
  }
  interface FastifyRequest {
    /** Set by a read route whose answer holds only committed data: it skips the wait for the open batch. */
    committedRead: boolean;
  }
}

/** Builds the mesh app without listening (STYLE.md "Fastify services"); main.ts listens. */
export async function buildApp(deps: MeshDeps): Promise<FastifyInstance> {
  const limits = defaultLimits(deps.limits);
  const clock = deps.clock ?? systemClock;
  const ownHttp = deps.http === undefined;
  const http =
    deps.http ?? new Agent({ connections: 16, connect: { timeout: 5000 }, keepAliveTimeout: 10_000 });
  const identity = new Identity(deps.config, deps.masterKey, deps.subnetOverrides);
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: limits.body_bytes,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    // No log line per request: at thousands of requests/s it was the largest single cost (synchronous
    // writes to stdout). Failures are logged by the error handler; denials are in the audit log.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 512 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app, { bodyLimit: limits.body_bytes, codes: meshHttpErrors });
  registerJsonParser(app);

  const audit: MeshContext["audit"] = (entry) => {
    if (deps.store.db.open) deps.store.audit.append({ ...entry, at: clock.now() });
  };
  const delivery = new Delivery({
    store: deps.store,
    identity,
    clock,
    limits,
    http,
    onDeadLetter: (agent, count) =>
      audit({
        actor: "mesh",
        action: "inbox.dead_letter",
        target: agent,
        outcome: "error",
        code: null,
        detail: { count },
      }),
    onRequeue: (agent, count, why) =>
      audit({
        actor: why === "operator" ? "operator" : "mesh",
        action: "inbox.redeliver",
        target: agent,
        outcome: "ok",
        code: null,
        detail: { count, why },
      }),
  });
  const ctx: MeshContext = {
    config: deps.config,
    limits,
    store: deps.store,
    clock,
    identity,
    delivery,
    http,
    masterKey: deps.masterKey,
    published: new PublishHooks(),
    audit,
    dashboard: new DashboardSessions(() => clock.now()),
    ...(deps.reloadConfig ? { reloadConfig: deps.reloadConfig } : {}),
  };

  const routes: string[] = [];
  app.addHook("onRoute", (r) => {
    for (const method of [r.method].flat()) if (method !== "HEAD") routes.push(`${method} ${r.url}`);
  });
  const counters = new RequestCounters();
  app.addHook("onResponse", (_req, reply, done) => {
    counters.count(reply.statusCode);
    done();
  });
  registerAuth(app, ctx);
  // Group commit (store/group-commit.ts): no response leaves while a write batch it may have seen is
  // uncommitted; a read route that returned only committed data says so and answers at once.
  app.decorateRequest("committedRead", false);
  app.addHook("onSend", (req, _reply, payload, done) => {
    const pending = req.committedRead ? undefined : deps.store.settled();
    if (!pending) return done(null, payload);
    pending.then(
      () => done(null, payload),
      (error: Error) => done(error),
    );
  });

  route(app, MeshRoutes.health, async () => ({ ok: true }));

  const { modules, blackboard, housekeeping } = defaultModules(
    counters,
    {
      secret: deps.channelSecret ?? (() => undefined),
    },
    { assetsDir: deps.dashboardAssets },
  );
  for (const m of modules) await app.register(async (instance) => m.routes(instance, ctx), { name: m.name });
  let stopping: Promise<void> | undefined;
  const stopBackground = () => {
    stopping ??= (async () => {
      for (const m of [...modules].reverse()) await m.stop?.();
      await delivery.stop();
    })();
    return stopping;
  };
  app.decorate("mesh", {
    ctx,
    modules,
    blackboard: blackboard.service,
    routes,
    gc: housekeeping.runOnce,
    stopBackground,
  });

  app.addHook("onReady", async () => {
    delivery.start();
    for (const m of modules) m.start?.(ctx);
  });
  app.addHook("onClose", async () => {
    await stopBackground();
    if (ownHttp) await http.close();
  });
  return app;
}
