import type { FastifyInstance } from "fastify";
import type { Dispatcher } from "undici";
import type { MeshConfig } from "../common/contracts/mesh-config.js";
import type { Clock } from "./clock.js";
import type { Delivery } from "./delivery/delivery.js";
import type { PublishHooks } from "./events.js";
import type { Identity, Principal } from "./identity.js";
import type { MeshLimits } from "./limits.js";
import type { DashboardSessions } from "./modules/dashboard/sessions.js";
import type { NewAudit } from "./store/audit-repo.js";
import type { MeshStore } from "./store/mesh-store.js";

/**
 * The narrow set of dependencies every module gets (no god object: each module uses what it needs).
 * Modules are listed explicitly in modules/index.ts. Their tables live in the mesh database, whose
 * one migration track is store/migrations/ (MeshStore runs it before any module is built).
 */
export interface MeshContext {
  readonly config: MeshConfig;
  readonly limits: MeshLimits;
  readonly store: MeshStore;
  readonly clock: Clock;
  readonly identity: Identity;
  readonly delivery: Delivery;
  /** HTTP client for calls to agents and to the proxy's admin API. */
  readonly http: Dispatcher;
  readonly masterKey: string;
  /** Published topics, for modules that react to them (workflow triggers); see events.ts. */
  readonly published: PublishHooks;
  /** Re-reads config.json and switches to it (reload.ts LiveMesh); absent when built from an object. */
  readonly reloadConfig?: () => Promise<number>;
  audit(entry: Omit<NewAudit, "at">): void;
  /** Dashboard sessions (cookie → operator), read by the auth hook and the dashboard module. */
  readonly dashboard: DashboardSessions;
}

export interface MeshModule {
  readonly name: string;
  /** Registers the module's routes (encapsulated: its hooks stay inside it). */
  routes(app: FastifyInstance, ctx: MeshContext): Promise<void>;
  /** Background work started on ready and stopped on close (e.g. GC, delivery, schedulers). */
  start?(ctx: MeshContext): void;
  stop?(): Promise<void>;
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export function requirePrincipal(p: Principal | undefined): Principal {
  if (!p) throw new Error("route reached without a principal (auth hook missing)");
  return p;
}

export function requireAgent(p: Principal | undefined): string {
  const principal = requirePrincipal(p);
  if (principal.kind !== "agent") throw new Error("agent route reached by a non-agent principal");
  return principal.id;
}
