import type { FastifyInstance } from "fastify";
import type { ScheduleFire } from "../../../../common/contracts/mesh-api.js";
import type { MeshContext, MeshModule } from "../../../context.js";
import type { BlackboardService } from "../../blackboard/service.js";
import { OrchErrors } from "../errors.js";
import { HeartbeatStore, heartbeatTick } from "../heartbeat/heartbeat.js";
import { HeartbeatLoop, HeartbeatSettings } from "../heartbeat/loop.js";
import { Scheduler } from "../schedule/scheduler.js";
import { ScheduleStore, toolOf } from "../schedule/store.js";
import { WatcherLoop, WatcherStore } from "../watcher/watcher.js";
import { WebhookStore } from "../webhook/store.js";
import { WorkflowRunner } from "../workflow/runner.js";
import { WorkflowStore } from "../workflow/store.js";
import { boardReader } from "./board.js";
import { orchestrationConfig } from "./config.js";
import { eventTriggers } from "./event-triggers.js";
import { customProbes, healthOnce, meshProbes } from "./probes.js";
import { heartbeatRoutes } from "./routes-heartbeat.js";
import { scheduleRoutes } from "./routes-schedules.js";
import { triggerRoutes } from "./routes-triggers.js";
import { workflowRoutes } from "./routes-workflows.js";
import { inboxSink } from "./sink.js";

/** The parts tests and benchmarks drive directly (set once the module's routes are registered). */
export interface OrchestrationParts {
  runner: WorkflowRunner;
  scheduler: Scheduler;
  heartbeats: HeartbeatLoop;
  beats: HeartbeatStore;
}

export interface OrchestrationModule extends MeshModule {
  parts(): OrchestrationParts;
}

/**
 * The orchestration plugin for the mesh (one `MeshModule`): workflows, schedules, heartbeats,
 * webhooks and watchers on the mesh's database and durable inbox. Background loops start on ready
 * (after boot recovery) and stop on close.
 */
export function orchestrationModule(board: () => BlackboardService): OrchestrationModule {
  const stops: (() => void | Promise<void>)[] = [];
  let starter: (() => void) | undefined;
  let parts: OrchestrationParts | undefined;
  return {
    name: "orchestration",
    parts() {
      if (!parts) throw new Error("orchestration module not registered yet");
      return parts;
    },
    async routes(app: FastifyInstance, ctx: MeshContext) {
      const db = ctx.store.db;
      const cfg = orchestrationConfig(ctx.config);
      const onError = (error: unknown) => app.log.error({ err: error }, "orchestration error");
      const store = new WorkflowStore(db);
      const runner = new WorkflowRunner({
        db,
        store,
        clock: ctx.clock,
        sink: inboxSink(ctx),
        workflows: cfg.workflows,
        read: boardReader(ctx),
        onError,
      });
      ctx.published.on(eventTriggers(ctx, runner));
      const schedules = new ScheduleStore(db);
      const message = (agent: string, topic: string, payload: unknown) =>
        ctx.delivery.enqueue(
          [
            {
              agent,
              kind: "message",
              sender: "mesh",
              topic,
              lane: "followup",
              payload: JSON.stringify(payload),
            },
          ],
          { skipFull: true },
        );
      const scheduler = new Scheduler({
        store: schedules,
        clock: ctx.clock,
        onError,
        fire: (row, slot, key, missed) => {
          if (row.workflow) {
            const out = runner.start(
              row.workflow,
              {},
              { kind: "schedule", name: row.id, payload: { slot, key, missed } },
            );
            ctx.audit({
              actor: "mesh",
              action: "workflow.trigger",
              target: row.workflow,
              outcome: out.state === "skipped" ? "error" : "ok",
              code: out.state === "skipped" ? OrchErrors.concurrencySkipped.code : null,
              detail: { schedule: row.id, state: out.state, run: out.run_id },
            });
            return;
          }
          const fire: ScheduleFire = {
            type: "schedule",
            schedule: row.id,
            slot: new Date(slot).toISOString(),
            key,
            missed,
            text: row.message,
            tool: toolOf(row),
          };
          message(row.agent, `schedule/${row.id}`, fire);
        },
      });
      scheduler.syncConfig(cfg.schedules);
      const hooks = new WebhookStore(db);
      hooks.forgetOthers([...cfg.webhooks.keys()]);
      const beats = new HeartbeatStore(db);
      const watchers = new WatcherLoop(
        cfg.watchers,
        new WatcherStore(db),
        (def, file, text) =>
          message(def.agent, "watcher", { type: "file", path: file.path, size: file.size, text }),
        onError,
      );
      const woke = new Set<string>();
      const heartbeats = new HeartbeatLoop({
        config: cfg.heartbeats,
        store: new HeartbeatSettings(db),
        clock: ctx.clock,
        onError,
        run: async (def) => {
          if (!db.open || !ctx.identity.agents.has(def.agent)) return;
          const health = healthOnce(ctx);
          await heartbeatTick({
            def,
            probes: meshProbes(ctx, health),
            custom: customProbes(ctx, health),
            store: beats,
            now: () => ctx.clock.now(),
            // Busy: the previous wake has not been delivered yet.
            busy: woke.has(def.agent) && ctx.store.inbox.depth(def.agent) > 0,
            wake: (agent, prompt) => {
              woke.add(agent);
              message(agent, "heartbeat", { type: "heartbeat", text: prompt });
            },
            alertOwner: (agent, text) =>
              ctx.audit({
                actor: "mesh",
                action: "heartbeat.alert",
                target: agent,
                outcome: "error",
                code: null,
                detail: { text },
              }),
          });
        },
      });
      parts = { runner, scheduler, heartbeats, beats };

      await workflowRoutes(app, ctx, runner, store, board);
      await triggerRoutes(app, ctx, { runner, hooks, webhooks: cfg.webhooks });
      await scheduleRoutes(app, ctx, { scheduler, schedules });
      await heartbeatRoutes(app, ctx, heartbeats);

      starter = () => {
        runner.recover();
        runner.startLoop();
        scheduler.start();
        watchers.start();
        heartbeats.start();
        const prune = setInterval(() => db.open && hooks.prune(ctx.clock.now()), 3_600_000);
        prune.unref();
        stops.push(() => clearInterval(prune));
      };
      stops.push(
        () => heartbeats.stop(),
        () => scheduler.stop(),
        () => watchers.stop(),
        () => runner.stop(),
      );
    },
    start() {
      starter?.();
    },
    async stop() {
      for (const s of stops.splice(0).reverse()) await s();
    },
  };
}
