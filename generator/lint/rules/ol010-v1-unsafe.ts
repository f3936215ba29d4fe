import { type Finding, type LintContext, pointer, type Rule, servicesOf } from "../types.js";

/** Keys docker-compose 1.29 rejects or silently ignores (research/compose.md §1.3). */
const TOP_LEVEL = ["version", "name", "include", "configs", "models"];
const SERVICE = [
  "configs",
  "annotations",
  "attach",
  "cgroup",
  "develop",
  "gpus",
  "label_file",
  "post_start",
  "pre_start",
  "pre_stop",
  "provider",
  "pull_refresh_after",
  "use_api_socket",
  "uts",
  "models",
  "deploy",
];

export const ol010: Rule = {
  id: "OL010",
  name: "compose-v1-unsafe-key",
  check(ctx: LintContext): Finding[] {
    const out: Finding[] = [];
    const bad = (path: string, key: string): Finding => ({
      rule: "OL010",
      severity: "error",
      path,
      message: `${key} is rejected or silently ignored by docker-compose 1.29 (the file must mean the same to v1 and v2)`,
      fix: `remove ${key}`,
    });
    for (const key of TOP_LEVEL) if (key in ctx.compose) out.push(bad(pointer(key), key));
    for (const [name, s] of Object.entries(servicesOf(ctx))) {
      for (const key of SERVICE) if (key in s) out.push(bad(pointer("services", name, key), key));
      const hc = s.healthcheck as Record<string, unknown> | undefined;
      if (hc && "start_interval" in hc)
        out.push(
          bad(pointer("services", name, "healthcheck", "start_interval"), "healthcheck.start_interval"),
        );
      const deps = s.depends_on;
      if (deps && typeof deps === "object" && !Array.isArray(deps)) {
        for (const [dep, cond] of Object.entries(deps as Record<string, Record<string, unknown>>)) {
          for (const k of ["required", "restart"])
            if (cond && k in cond)
              out.push(bad(pointer("services", name, "depends_on", dep, k), `depends_on.${k}`));
        }
      }
    }
    const secrets = (ctx.compose.secrets ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, secret] of Object.entries(secrets)) {
      for (const k of ["environment", "content"])
        if (secret && k in secret) out.push(bad(pointer("secrets", name, k), `secrets.*.${k}`));
    }
    return out;
  },
};
