/**
 * Single-host hardening that a Swarm service cannot express (Docker Engine API ≤ 1.47 service
 * spec), and what the stack does instead. `lint --target swarm` prints this; docs/scale-out.md
 * explains it. Data, so the two cannot disagree.
 */
export interface SwarmGap {
  setting: string;
  lost: string;
  compensation: string;
}

export const SWARM_GAPS: readonly SwarmGap[] = [
  {
    setting: "security_opt: no-new-privileges",
    lost: "Swarm services have no no_new_privs flag: a setuid binary still changes uid",
    compensation:
      "numeric non-root user, cap_drop ALL (the bounding set is empty, so setuid gains no capability), read-only root filesystem",
  },
  {
    setting: "tmpfs /tmp noexec,nosuid,nodev",
    lost: "Swarm tmpfs mounts take only a size and a mode",
    compensation: "the 64 MiB size limit stays; /tmp and /data are the only writable paths",
  },
  {
    setting: "memswap_limit = mem_limit",
    lost: "Swarm sets no swap limit (a task may swap up to its memory limit again)",
    compensation:
      "memory reservation = limit, so the scheduler never overcommits a node; run nodes without swap",
  },
  {
    setting: "ports 127.0.0.1:<port>",
    lost: "Swarm publishes a port on every address of the node (host mode) or every node (routing mesh)",
    compensation:
      "host mode on the core node only (client addresses stay visible); firewall that port to the operators; every route needs the operator or a webhook secret",
  },
  {
    setting: "depends_on: service_healthy",
    lost: "Swarm starts services in any order",
    compensation:
      "agents retry the mesh and the proxy; restart_policy any and healthchecks hold a task in starting until healthy",
  },
  {
    setting: "com.docker.network.bridge.inhibit_ipv4",
    lost: "a bridge option; overlays have no host-side gateway to inhibit",
    compensation:
      "agents join only internal overlays, so Swarm gives them no docker_gwbridge route (doctor --target swarm checks)",
  },
];
