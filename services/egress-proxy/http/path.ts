/**
 * Path hygiene for the LLM and API doors (finding 5). `rest` is the RAW path after /llm|api/<name>/, exactly
 * as the agent sent it (never WHATWG-normalised: the URL parser turns `\` into `/` and resolves `%2e%2e`,
 * which would hide what was asked). Anything an upstream server or an intermediary could read as a different
 * path, a different host or a path parameter is refused, so the forwarded path is always
 * `<base_url path>/<rest>` and stays under the configured base.
 */
const REFUSED: ReadonlyArray<[RegExp, string]> = [
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  [/[\u0000-\u001f\u007f\s]|%(?:[01][0-9a-f]|7f)/i, "control characters and spaces are not allowed"],
  [/\\|%5c/i, "backslashes are not allowed"],
  [/%2f/i, "encoded separators are not allowed"],
  [/;|%3b/i, "path parameters (;) are not allowed"],
  [/@|%40/i, "@ is not allowed in a path"],
  [/%25/, "double percent-encoding is not allowed"],
];

export function checkRestPath(rest: string): string | undefined {
  if (rest.length > 2048) return "path longer than 2048 characters";
  for (const [pattern, why] of REFUSED) if (pattern.test(rest)) return why;
  const segments = rest.split("/");
  for (const [i, segment] of segments.entries()) {
    // A trailing slash is common in real APIs; an empty segment anywhere else (`//host/x`) is not.
    if (segment === "" && i !== segments.length - 1) return "empty path segments are not allowed";
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return "malformed percent-encoding";
    }
    if (decoded === "." || decoded === "..") return "dot segments are not allowed";
  }
  return undefined;
}

/** `<basePath>/<rest>` once checked; throws if it would not stay under basePath (belt and braces). */
export function pathUnderBase(basePath: string, rest: string): string {
  const joined = `${basePath}/${rest}`;
  const resolved = new URL(joined, "http://upstream.invalid").pathname;
  if (!resolved.startsWith(`${basePath}/`)) throw new Error("path escapes the base URL");
  return joined;
}
