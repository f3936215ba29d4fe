import { canonicalJson, compareAscii } from "../../services/common/canonical-json.js";
import { type ComposeFile, LABEL } from "./model.js";

export interface PlanChange {
  security: boolean;
  kind: string;
  target: string;
  detail: string;
}

/** What the planner compares: a compose file plus the proxy and mesh configs it mounts. */
export interface PlanSide {
  compose: Partial<ComposeFile>;
  proxy: unknown;
  mesh: unknown;
}

type Agents = Record<string, Record<string, unknown>>;
const agentsOf = (cfg: unknown): Agents => ((cfg as { agents?: Agents } | undefined)?.agents ?? {}) as Agents;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const added = (before: unknown, after: unknown): string[] =>
  list(after).filter((x) => !list(before).includes(x));
const removed = (before: unknown, after: unknown): string[] => added(after, before);
const num = (v: unknown): number => (typeof v === "number" ? v : 0);

const HARDENING = [
  "user",
  "read_only",
  "cap_drop",
  "security_opt",
  "pids_limit",
  "mem_limit",
  "memswap_limit",
  "cpus",
  "init",
  "tmpfs",
  "sysctls",
  "volumes",
  "networks",
  "image",
] as const;
const PERMISSIONS = [
  "can_message",
  "can_publish",
  "can_subscribe",
  "blackboard_read",
  "blackboard_write",
  "allowed_apis",
] as const;

/**
 * The changes applying `next` over `current` would make, security-relevant first (new egress hosts,
 * widened permissions, new secrets, new published ports, budget increases, weaker hardening), then
 * the rest (recreated services, removals, narrowing). Pure.
 */
export function planChanges(current: PlanSide, next: PlanSide): PlanChange[] {
  const out: PlanChange[] = [];
  const sec = (kind: string, target: string, detail: string) =>
    out.push({ security: true, kind, target, detail });
  const rest = (kind: string, target: string, detail: string) =>
    out.push({ security: false, kind, target, detail });
  const curServices = current.compose.services ?? {};
  const nextServices = next.compose.services ?? {};

  for (const name of Object.keys(nextServices))
    if (!(name in curServices)) sec("service-added", name, `new service ${name}`);
  for (const name of Object.keys(curServices))
    if (!(name in nextServices))
      rest("service-removed", name, `service ${name} goes away (up -d --remove-orphans)`);

  const curProxy = agentsOf(current.proxy);
  for (const [id, agent] of Object.entries(agentsOf(next.proxy))) {
    const before = curProxy[id] ?? {};
    for (const host of added(before.allowed_hosts, agent.allowed_hosts))
      sec("egress-host-added", `agent-${id}`, `may now reach ${host}`);
    for (const api of added(before.allowed_apis, agent.allowed_apis))
      sec("api-granted", `agent-${id}`, `may now call api ${api}`);
    for (const model of added(before.models, agent.models))
      sec("model-allowed", `agent-${id}`, `may now use model ${model}`);
    const b0 = (before.budget ?? {}) as Record<string, unknown>;
    const b1 = (agent.budget ?? {}) as Record<string, unknown>;
    for (const key of ["daily_usd", "monthly_usd"]) {
      if (id in curProxy && num(b1[key]) > num(b0[key]))
        sec("budget-increased", `agent-${id}`, `${key} ${num(b0[key])} → ${num(b1[key])}`);
      if (num(b1[key]) < num(b0[key]))
        rest("budget-decreased", `agent-${id}`, `${key} ${num(b0[key])} → ${num(b1[key])}`);
    }
    for (const host of removed(before.allowed_hosts, agent.allowed_hosts))
      rest("egress-host-removed", `agent-${id}`, `no longer reaches ${host}`);
  }
  const curMesh = agentsOf(current.mesh);
  for (const [id, agent] of Object.entries(agentsOf(next.mesh))) {
    const p0 = (curMesh[id]?.permissions ?? {}) as Record<string, unknown>;
    const p1 = (agent.permissions ?? {}) as Record<string, unknown>;
    for (const key of PERMISSIONS) {
      for (const grant of added(p0[key], p1[key]))
        sec("permission-widened", `agent-${id}`, `${key} + ${grant}`);
      for (const grant of removed(p0[key], p1[key]))
        rest("permission-narrowed", `agent-${id}`, `${key} - ${grant}`);
    }
  }
  const curSecrets = current.compose.secrets ?? {};
  for (const name of Object.keys(next.compose.secrets ?? {}))
    if (!(name in curSecrets)) sec("secret-added", name, `new secret ${name}`);
  for (const [name, svc] of Object.entries(nextServices)) {
    const before = curServices[name];
    const mounted = (s: typeof svc | undefined) => (s?.secrets ?? []).map((x) => x.source);
    if (before)
      for (const s of added(mounted(before), mounted(svc)))
        sec("secret-mounted", name, `now mounts secret ${s}`);
    for (const port of added(before?.ports, svc.ports)) sec("port-published", name, `publishes ${port}`);
    if (!before) continue;
    for (const key of HARDENING) {
      if (canonicalJson(before[key]) !== canonicalJson(svc[key]))
        sec(
          "service-setting-changed",
          name,
          `${key}: ${canonicalJson(before[key])} → ${canonicalJson(svc[key])}`,
        );
    }
    if (before.labels?.[LABEL.configHash] !== svc.labels?.[LABEL.configHash])
      rest("service-recreated", name, "config-hash changed; up -d recreates it");
  }
  // Mesh and proxy reload config.json live (no recreation): say so when theirs changes.
  if (canonicalJson(current.mesh) !== canonicalJson(next.mesh))
    rest("config-reloaded", "mesh", "config.json changed; the running mesh reloads it");
  if (canonicalJson(current.proxy) !== canonicalJson(next.proxy))
    rest("config-reloaded", "egress-proxy", "config.json changed; the running proxy reloads it");
  const curNets = current.compose.networks ?? {};
  for (const [name, net] of Object.entries(next.compose.networks ?? {})) {
    const before = curNets[name];
    if (!before) rest("network-added", name, `new network ${name}`);
    else if (canonicalJson(before) !== canonicalJson(net))
      sec(
        "network-changed",
        name,
        'isolation settings changed; docker-compose v1 needs `down` before `up` ("needs to be recreated")',
      );
  }
  const order = (c: PlanChange) => (c.security ? 0 : 1);
  return out.sort(
    (a, b) =>
      order(a) - order(b) ||
      compareAscii(a.target, b.target) ||
      compareAscii(a.kind, b.kind) ||
      compareAscii(a.detail, b.detail),
  );
}
