import type { FleetConfig } from "../config/schemas/fleet.js";

export interface AgentReference {
  /** Where, e.g. `workflow prospect_pipeline step research` or `mesh.yaml schedules.morning_brief`. */
  where: string;
}

/** Every place outside agents.yaml and permissions.json that names `id` as the agent to use. */
export function referencesTo(fleet: FleetConfig, id: string): AgentReference[] {
  const refs: AgentReference[] = [];
  for (const wf of fleet.workflows) {
    const prefix = `workflow ${wf.name}`;
    if (wf.defaults.agent === id) refs.push({ where: `${prefix} defaults.agent` });
    for (const step of wf.steps) if (step.agent === id) refs.push({ where: `${prefix} step ${step.id}` });
    for (const h of wf.handlers) if (h.agent === id) refs.push({ where: `${prefix} handler ${h.id}` });
    for (const f of wf.finally) if (f.agent === id) refs.push({ where: `${prefix} finally ${f.id}` });
  }
  const { mesh } = fleet;
  for (const [name, channel] of Object.entries(mesh.channels)) {
    if (channel?.default_agent === id) refs.push({ where: `mesh.yaml channels.${name}.default_agent` });
  }
  for (const w of mesh.webhooks) if (w.agent === id) refs.push({ where: `mesh.yaml webhooks ${w.name}` });
  for (const s of mesh.schedules) if (s.agent === id) refs.push({ where: `mesh.yaml schedules ${s.name}` });
  for (const h of mesh.heartbeats)
    if (h.agent === id) refs.push({ where: `mesh.yaml heartbeats (${h.every})` });
  for (const w of fleet.watchers) if (w.agent === id) refs.push({ where: `watchers.yaml ${w.path}` });
  return refs;
}
