import type { MeshModule } from "../context.js";
import { blackboardModule } from "./blackboard/plugin.js";
import { type ChannelDeps, channelsModule } from "./channels/plugin.js";
import { type DashboardDeps, dashboardModule } from "./dashboard/plugin.js";
import { fleetModule } from "./fleet/plugin.js";
import { housekeepingModule } from "./housekeeping/plugin.js";
import { metricsModule, type RequestCounters } from "./metrics/plugin.js";
import { operatorModule } from "./operator/plugin.js";
import { orchestrationModule } from "./orchestration/plugin/module.js";
import { pubsubModule } from "./pubsub/plugin.js";

/**
 * The explicit module list (no registration by import side effect), in registration order. Each is
 * a `MeshModule` folder here with its own routes and background `start`/`stop`; the tables it needs
 * are numbered migrations in store/migrations/ (one track for the whole mesh database).
 */
export function defaultModules(
  counters: RequestCounters,
  channels: ChannelDeps,
  dashboard: DashboardDeps = {},
) {
  const blackboard = blackboardModule();
  const housekeeping = housekeepingModule(blackboard.service);
  const modules: MeshModule[] = [
    blackboard,
    pubsubModule(),
    operatorModule(),
    fleetModule(),
    metricsModule(counters),
    housekeeping,
    orchestrationModule(blackboard.service),
    channelsModule(channels),
    dashboardModule({ ...dashboard, blackboard: blackboard.service }),
  ];
  return { modules, blackboard, housekeeping };
}
