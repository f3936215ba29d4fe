import type { MeshModule } from "../context.js";
import { blackboardModule } from "./blackboard/plugin.js";
import { fleetModule } from "./fleet/plugin.js";
import { housekeepingModule } from "./housekeeping/plugin.js";
import { metricsModule, type RequestCounters } from "./metrics/plugin.js";
import { operatorModule } from "./operator/plugin.js";
import { orchestrationModule } from "./orchestration/plugin/module.js";
import { pubsubModule } from "./pubsub/plugin.js";

/**
 * The explicit module list (no registration by import side effect). Later issues append workflows,
 * schedules, heartbeats, webhooks, watchers and channels here: each is a `MeshModule` with its own
 * routes, background `start`/`stop`, and numbered migrations in store/migrations/.
 */
export function defaultModules(counters: RequestCounters) {
  const blackboard = blackboardModule();
  const housekeeping = housekeepingModule(blackboard.service);
  const modules: MeshModule[] = [
    blackboard,
    pubsubModule(),
    operatorModule(),
    fleetModule(),
    metricsModule(counters),
    housekeeping,
    orchestrationModule(),
  ];
  return { modules, blackboard, housekeeping };
}
