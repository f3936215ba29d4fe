import type { FastifyInstance } from "fastify";
import type { MeshContext, MeshModule } from "../../context.js";
import { HeartbeatStore, heartbeatTick, type Probe } from "../heartbeat/heartbeat.js";
import { migrateOrchestration } from "../migrations.js";
import { Scheduler } from "../schedule/scheduler.js";
import { ScheduleStore } from "../schedule/store.js";
import { WatcherLoop, WatcherStore } from "../watcher/watcher.js";
import { WebhookStore } from "../webhook/store.js";
import { WorkflowRunner } from "../workflow/runner.js";
import { WorkflowStore } from "../workflow/store.js";
import { orchestrationConfig } from "./config.js";
import { triggerRoutes } from "./routes-triggers.js";
import { workflowRoutes } from "./routes-workflows.js";
import { inboxSink } from "./sink.js";

/**
 * The orchestration plugin for the mesh (one `MeshModule`): workflows, schedules, heartbeats,
 * webhooks and watchers on the mesh's database and durable inbox. Background loops start on ready
 * (after boot recovery) and stop on close.
 */
export function orchestrationModule(): MeshModule {
  const stops: (() => void | Promise<void>)[] = [];
  let starter: (() => void) | undefined;
  return {
    name: "orchestration",
    async routes(app: FastifyInstance, ctx: MeshContext) {
      const db = ctx.store.db;
      migrateOrchestration(db);
      const cfg = orchestrationConfig(ctx.config);
      const onError = (error: unknown) => app.log.error({ err: error }, "orchestration error");
      const store = new WorkflowStore(db);
      const runner = new WorkflowRunner({
        db,
        store,
        clock: ctx.clock,
        sink: inboxSink(ctx),
        workflows: cfg.workflows,
        onError,
      });
      const schedules = new ScheduleStore(db);
      const scheduler = new Scheduler({
        store: schedules,
        clock: ctx.clock,
        onError,
        fire: (row, slot, key, missed) => {
          if (row.workflow) {
            runner.start(
              row.workflow,
              {},
              { kind: "schedule", name: row.id, payload: { slot, key, missed } },
            );
            return;
          }
          ctx.delivery.enqueue(
            [
              {
                agent: row.agent,
                kind: "message",
                sender: "mesh",
                topic: `schedule/${row.id}`,
                lane: "followup",
                payload: JSON.stringify({
                  type: "schedule",
                  schedule: row.id,
                  slot: new Date(slot).toISOString(),
                  key,
                  missed,
                  text: row.message,
                }),
              },
            ],
            { skipFull: true },
          );
        },
      });
      scheduler.syncConfig(cfg.schedules);
      const hooks = new WebhookStore(db);
      const beats = new HeartbeatStore(db);
      const watcherStore = new WatcherStore(db);
      const enqueue = (agent: string, payload: unknown) =>
        ctx.delivery.enqueue(
          [
            {
              agent,
              kind: "message",
              sender: "mesh",
              topic: "heartbeat",
              lane: "followup",
              payload: JSON.stringify(payload),
            },
          ],
          { skipFull: true },
        );
      const watchers = new WatcherLoop(
        cfg.watchers,
        watcherStore,
        (def, file, message) => {
          ctx.delivery.enqueue(
            [
              {
                agent: def.agent,
                kind: "message",
                sender: "mesh",
                topic: "watcher",
                lane: "followup",
                payload: JSON.stringify({ type: "file", path: file.path, size: file.size, text: message }),
              },
            ],
            { skipFull: true },
          );
        },
        onError,
      );
      const countKeys = (prefix: string) =>
        ctx.store.blackboard.scan(prefix, "", 1001).filter((r) => r.deleted === 0).length;
      const probes: Record<"signals" | "tasks" | "inbox", Probe> = {
        signals: (agent) => ({
          probe: "signals",
          ok: true,
          value: countKeys(`signals/${agent}/`),
          detail: `${countKeys(`signals/${agent}/`)} keys under signals/${agent}/`,
        }),
        tasks: (agent) => ({
          probe: "tasks",
          ok: true,
          value: countKeys(`tasks/${agent}/`),
          detail: `${countKeys(`tasks/${agent}/`)} keys under tasks/${agent}/`,
        }),
        inbox: (agent) => ({
          probe: "inbox",
          ok: true,
          value: ctx.store.inbox.depth(agent),
          detail: `${ctx.store.inbox.depth(agent)} undelivered messages`,
        }),
      };

      await workflowRoutes(app, ctx, runner, store);
      await triggerRoutes(app, ctx, { runner, scheduler, schedules, hooks, webhooks: cfg.webhooks });

      starter = () => {
        runner.recover();
        runner.startLoop();
        scheduler.start();
        watchers.start();
        const woke = new Set<string>();
        for (const hb of cfg.heartbeats) {
          const timer = setInterval(() => {
            if (!db.open) return;
            void heartbeatTick({
              def: hb,
              probes,
              store: beats,
              now: () => ctx.clock.now(),
              // Busy: the previous wake has not been delivered yet.
              busy: woke.has(hb.agent) && ctx.store.inbox.depth(hb.agent) > 0,
              wake: (agent, prompt) => {
                woke.add(agent);
                enqueue(agent, { type: "heartbeat", text: prompt });
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
            }).catch(onError);
          }, hb.every_ms);
          timer.unref();
          stops.push(() => clearInterval(timer));
        }
        const prune = setInterval(() => db.open && hooks.prune(ctx.clock.now()), 3_600_000);
        prune.unref();
        stops.push(() => clearInterval(prune));
      };
      stops.push(
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
