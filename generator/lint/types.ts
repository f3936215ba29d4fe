/** One finding of `openlegion lint`. Rules are keyed by stable ids (OL001…); tests assert ids and paths, never text. */
export interface Finding {
  rule: string;
  severity: "error" | "warning";
  /** Where: a JSON pointer into docker-compose.yml, or a file path. */
  path: string;
  message: string;
  fix: string;
}

/** Everything the rules look at, gathered once by the I/O edge (lint/context.ts). Rules are pure. */
export interface LintContext {
  /** docker-compose.yml parsed as data, `$$` unescaped. */
  compose: Record<string, unknown>;
  /** docker-compose.yml as text (for interpolation checks). */
  text: string;
  /** compose/egress-proxy/config.json parsed, when present. */
  proxyConfig: unknown;
  /** config/agents.yaml parsed without defaults, when present (to see what the user left out). */
  rawAgents: unknown;
  /** Files under .openlegion/secrets/ that git tracks. */
  trackedSecrets: string[];
  /** IPv4 destinations of the host's routes (`ip -4 route`), e.g. "10.0.0.0/8"; [] when unknown. */
  hostRoutes: string[];
  /** True when docker-compose.override.yml sits next to the file (both Compose versions merge it). */
  overrideFile: boolean;
  strict: boolean;
}

export interface Rule {
  id: string;
  name: string;
  check(ctx: LintContext): Finding[];
}

export type ServiceMap = Record<string, Record<string, unknown>>;

export const servicesOf = (ctx: LintContext): ServiceMap => {
  const s = ctx.compose.services;
  return s !== null && typeof s === "object" ? (s as ServiceMap) : {};
};

export const isAgentService = (name: string, service: Record<string, unknown>): boolean => {
  const labels = service.labels as Record<string, unknown> | undefined;
  return name.startsWith("agent-") || labels?.["io.openlegion.service"] === "agent";
};

export const pointer = (...parts: string[]): string =>
  `/${parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;
