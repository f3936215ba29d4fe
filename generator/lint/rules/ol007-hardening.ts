import { type Finding, type LintContext, pointer, type Rule, servicesOf } from "../types.js";

interface Check {
  key: string;
  ok: (value: unknown, service: Record<string, unknown>) => boolean;
  want: string;
}

const CHECKS: Check[] = [
  {
    key: "user",
    ok: (v) => typeof v === "string" && /^[1-9]\d*(:\d+)?$/.test(v),
    want: 'a numeric non-root user such as "1000:1000"',
  },
  { key: "read_only", ok: (v) => v === true, want: "read_only: true" },
  { key: "cap_drop", ok: (v) => Array.isArray(v) && v.includes("ALL"), want: "cap_drop: [ALL]" },
  {
    key: "security_opt",
    ok: (v) => Array.isArray(v) && v.some((o) => o === "no-new-privileges:true" || o === "no-new-privileges"),
    want: "no-new-privileges:true",
  },
  { key: "pids_limit", ok: (v) => typeof v === "number" && v > 0, want: "a positive pids_limit" },
  {
    key: "mem_limit",
    ok: (v, s) => v !== undefined && v === s.memswap_limit,
    want: "mem_limit equal to memswap_limit (no swap)",
  },
  { key: "cpus", ok: (v) => typeof v === "number" && v > 0, want: "a cpus limit" },
  { key: "init", ok: (v) => v === true, want: "init: true" },
  {
    key: "healthcheck",
    ok: (v) => v !== null && typeof v === "object" && !(v as { disable?: boolean }).disable,
    want: "a healthcheck",
  },
  {
    key: "logging",
    ok: (v) => Boolean((v as { options?: Record<string, unknown> } | undefined)?.options?.["max-size"]),
    want: "bounded logging (max-size)",
  },
];

/** Every service carries the hardening set of ARCHITECTURE.md §4 (a hand edit would drop it silently). */
export const ol007: Rule = {
  id: "OL007",
  name: "hardening-missing",
  check(ctx: LintContext): Finding[] {
    const out: Finding[] = [];
    for (const [name, service] of Object.entries(servicesOf(ctx))) {
      for (const check of CHECKS) {
        if (check.ok(service[check.key], service)) continue;
        out.push({
          rule: "OL007",
          severity: "error",
          path: pointer("services", name, check.key),
          message: `${name} lacks ${check.want}`,
          fix: "re-render (openlegion render); never hand-edit docker-compose.yml",
        });
      }
      const opts = Array.isArray(service.security_opt) ? service.security_opt : [];
      for (const opt of opts) {
        if (typeof opt === "string" && /unconfined/.test(opt)) {
          out.push({
            rule: "OL007",
            severity: "error",
            path: pointer("services", name, "security_opt"),
            message: `${name} disables a kernel confinement profile (${opt})`,
            fix: `remove ${opt}`,
          });
        }
      }
    }
    return out;
  },
};
