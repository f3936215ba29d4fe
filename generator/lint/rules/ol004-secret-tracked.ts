import type { Finding, LintContext, Rule } from "../types.js";

export const ol004: Rule = {
  id: "OL004",
  name: "secret-file-tracked-by-git",
  check(ctx: LintContext): Finding[] {
    return ctx.trackedSecrets.map((file) => ({
      rule: "OL004",
      severity: "error",
      path: file,
      message: `${file} is tracked by git: the secret is in the repository history`,
      fix: `git rm --cached ${file}, make sure .gitignore lists .openlegion/, and rotate the secret`,
    }));
  },
};
