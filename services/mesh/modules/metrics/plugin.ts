import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { route } from "../../../common/http/route.js";
import type { MeshModule } from "../../context.js";

/** Request counters filled by an app-level onResponse hook (app.ts). */
export class RequestCounters {
  readonly byStatus = new Map<number, number>();
  count(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }
}

const label = (v: string): string => v.replace(/["\\\n]/g, "_");

/** Prometheus text exposition at GET /metrics (operator token: it is the control side, not for agents). */
export function metricsModule(counters: RequestCounters): MeshModule {
  return {
    name: "metrics",
    async routes(app, ctx) {
      route(app, MeshRoutes.metrics, async (_req, reply) => {
        const lines: string[] = [];
        lines.push(
          "# HELP mesh_http_responses_total HTTP responses by status code.",
          "# TYPE mesh_http_responses_total counter",
        );
        for (const [status, n] of [...counters.byStatus].sort((a, b) => a[0] - b[0])) {
          lines.push(`mesh_http_responses_total{status="${status}"} ${n}`);
        }
        lines.push(
          "# HELP mesh_inbox_messages Undelivered inbox messages by agent and state.",
          "# TYPE mesh_inbox_messages gauge",
        );
        for (const [agent, s] of ctx.store.inbox.stats()) {
          lines.push(`mesh_inbox_messages{agent="${label(agent)}",state="pending"} ${s.pending}`);
          lines.push(`mesh_inbox_messages{agent="${label(agent)}",state="dead"} ${s.dead}`);
        }
        lines.push("# HELP mesh_agents Agents in the compiled config.", "# TYPE mesh_agents gauge");
        lines.push(`mesh_agents ${ctx.identity.agents.size}`);
        return reply.type("text/plain; version=0.0.4").send(`${lines.join("\n")}\n`);
      });
    },
  };
}
