import { compareAscii } from "../../services/common/canonical-json.js";
import { RULES } from "./rules/index.js";
import { schemaFindings } from "./schemas.js";
import type { Finding, LintContext } from "./types.js";

/** Runs both schemas and every rule over a gathered context. Pure. Sorted: errors first, then by rule and path. */
export function lint(ctx: LintContext): Finding[] {
  const findings = [
    ...schemaFindings("spec", ctx.compose),
    ...schemaFindings("v1", ctx.compose),
    ...RULES.flatMap((rule) => rule.check(ctx)),
  ];
  return findings.sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
      compareAscii(a.rule, b.rule) ||
      compareAscii(a.path, b.path),
  );
}
