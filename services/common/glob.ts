/**
 * Separator-aware globs for permission patterns (blackboard keys, topics, hosts' paths).
 *
 *   `*`  matches any run of characters except `/` (never crosses a segment)
 *   `**` matches any run of characters including `/` (must be a whole segment or a trailing suffix: `a/**`, `**`)
 *   `?`  matches one character except `/`
 *
 * Anything else is literal. Patterns are validated once, then compiled to an anchored RegExp
 * (no user text reaches the RegExp unescaped, so a pattern can never be a ReDoS or an injection).
 */

const ALLOWED = /^[A-Za-z0-9_.\-/*?:@]+$/;

/** Returns a human message when `pattern` is malformed, or undefined when it is well-formed. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return "empty pattern";
  if (pattern.length > 256) return "pattern longer than 256 characters";
  if (!ALLOWED.test(pattern)) {
    const bad = [...pattern].find((c) => !/[A-Za-z0-9_.\-/*?:@]/.test(c));
    return `character ${JSON.stringify(bad)} is not allowed in a pattern (use letters, digits, _ . - / : @ and * ** ?)`;
  }
  if (pattern.includes("***"))
    return '"***" is not a valid wildcard (use "*" within a segment or "**" across segments)';
  if (pattern.startsWith("/")) return "pattern must not start with /";
  if (pattern.includes("//")) return "pattern must not contain an empty segment (//)";
  for (const segment of pattern.split("/")) {
    if (segment.includes("**") && segment !== "**") {
      return `"**" must be a whole path segment (got ${JSON.stringify(segment)}); use "*" inside a segment`;
    }
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Compiles a well-formed pattern; throws on a malformed one (validate config first). */
export function compileGlob(pattern: string): RegExp {
  const problem = globProblem(pattern);
  if (problem) throw new Error(`invalid glob ${JSON.stringify(pattern)}: ${problem}`);
  const segments = pattern.split("/");
  let source = "";
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      // `a/**` matches `a/x`, `a/x/y` (and `a/`); `**/b` matches `b`, `x/b`, `x/y/b`.
      source += last ? ".*" : "(?:[^]*/)?";
      return;
    }
    source += segment
      .split(/(\*|\?)/)
      .map((part) => (part === "*" ? "[^/]*" : part === "?" ? "[^/]" : escapeRegExp(part)))
      .join("");
    if (!last) source += "/";
  });
  return new RegExp(`^${source}$`);
}

/** True when `value` matches any of `patterns`. */
export function matchesAny(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => compileGlob(p).test(value));
}

/**
 * A RegExp matching every string that is a prefix of some string `pattern` matches: "could a key starting with
 * this prefix ever match?" (the mesh refuses a watch on a prefix under which nothing is readable). Built from
 * the same tokens as compileGlob, nested right to left as optional continuations.
 */
export function compileGlobPrefix(pattern: string): RegExp {
  const problem = globProblem(pattern);
  if (problem) throw new Error(`invalid glob ${JSON.stringify(pattern)}: ${problem}`);
  // Each token: its source, and (for multi-character tokens) what a cut-off part of it may look like.
  const tokens: Array<[string, string?]> = [];
  const segments = pattern.split("/");
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      tokens.push(last ? [".*"] : ["(?:[^]*/)?", "[^]*"]);
      return;
    }
    for (const part of segment.split(/(\*|\?)/)) {
      if (part === "*") tokens.push(["[^/]*"]);
      else if (part === "?") tokens.push(["[^/]"]);
      else for (const c of part) tokens.push([escapeRegExp(c)]);
    }
    if (!last) tokens.push(["/"]);
  });
  let source = "";
  for (const [token, partial] of tokens.reverse()) {
    source = `(?:${token}${source ? `(?:${source})?` : ""}${partial ? `|${partial}` : ""})`;
  }
  return new RegExp(`^(?:${source})?$`);
}
