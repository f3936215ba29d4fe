import type { Finding, LintContext, Rule } from "../types.js";

/** A single `$` (not `$$`) in the file: Compose would substitute the host environment at `up` time. */
export const ol011: Rule = {
  id: "OL011",
  name: "unescaped-interpolation",
  check(ctx: LintContext): Finding[] {
    const out: Finding[] = [];
    ctx.text.split("\n").forEach((line, i) => {
      if (line.trimStart().startsWith("#")) return;
      const stripped = line.replaceAll("$$", "");
      if (stripped.includes("$")) {
        out.push({
          rule: "OL011",
          severity: "error",
          path: `docker-compose.yml:${i + 1}`,
          message: `line ${i + 1} has an unescaped "$": Compose would substitute host environment variables into it`,
          fix: "write $$ for a literal $ (openlegion render does this for you)",
        });
      }
    });
    return out;
  },
};
