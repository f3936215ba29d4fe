/**
 * Agent ids an agent can never have, for every service at once: names of the built-in services and
 * networks (they would collide in service names, DNS and volumes: `mesh`, `egress-proxy`, `control`,
 * `egress`, `ingress`, `proxy`), and the principals the mesh writes in `from` and the audit log
 * (`operator`, `mesh`, `anonymous`), plus `all`, which reads as a wildcard. `validate`, `render` and the
 * mesh all refuse them from this one list.
 */
export const RESERVED_AGENT_IDS = [
  "all",
  "anonymous",
  "control",
  "egress",
  "egress-proxy",
  "ingress",
  "mesh",
  "operator",
  "proxy",
] as const;

export const isReservedAgentId = (id: string): boolean =>
  (RESERVED_AGENT_IDS as readonly string[]).includes(id);
