import type { Finding, LintContext, Rule } from "../types.js";

export const ol012: Rule = {
  id: "OL012",
  name: "override-file-present",
  check(ctx: LintContext): Finding[] {
    if (!ctx.overrideFile) return [];
    return [
      {
        rule: "OL012",
        severity: "warning",
        path: "docker-compose.override.yml",
        message:
          "docker-compose.override.yml is merged into the fleet by both Compose versions and can undo any setting lint checked",
        fix: "move what it does into config/ and delete it, or review it with `docker-compose config`",
      },
    ];
  },
};
