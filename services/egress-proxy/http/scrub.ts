import type { IncomingHttpHeaders } from "node:http";

/**
 * Credentials never come back in a response (finding 3). Every injected value is removed from every response
 * header, on every status: raw and percent-encoded, because a redirect's Location carries the query it was
 * given (`…/search/?q=acme&api_key=<key>`). The proxy never follows a redirect, so the agent only ever sees
 * the Location — rewritten back into its own door when it points under the same base, or dropped when it
 * still carries the key.
 */
export interface ScrubRule {
  secret: string;
  /** Maps an upstream Location to what the agent may see (or undefined to drop it). */
  location?: (location: string) => string | undefined;
}

const REDACTED = "[redacted]";

export function carriesSecret(text: string, secret: string): boolean {
  return text.includes(secret) || text.includes(encodeURIComponent(secret));
}

export const redactSecret = (text: string, secret: string): string =>
  text.replaceAll(secret, REDACTED).replaceAll(encodeURIComponent(secret), REDACTED);

export function scrubHeaders(headers: IncomingHttpHeaders, rule: ScrubRule): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    if (name === "location") {
      const location = rule.location?.(String(value));
      if (location !== undefined && !carriesSecret(location, rule.secret)) out.location = location;
      continue;
    }
    out[name] = Array.isArray(value)
      ? value.map((v) => redactSecret(v, rule.secret))
      : (redactSecret(String(value), rule.secret) as string);
  }
  return out;
}

/**
 * A Location the agent can follow through its own door: an upstream URL on the same origin and under the
 * base path becomes `<door>/<rest>` without the injected query parameter; any other URL passes unchanged
 * (and is dropped by scrubHeaders if it carries the key). The proxy itself follows nothing.
 */
export function doorLocation(
  upstream: { origin: string; basePath: string; currentPath: string },
  door: string,
  dropQuery: string | undefined,
): (location: string) => string | undefined {
  return (location) => {
    let url: URL;
    try {
      url = new URL(location, `${upstream.origin}${upstream.currentPath}`);
    } catch {
      return undefined;
    }
    if (url.origin !== upstream.origin || !url.pathname.startsWith(`${upstream.basePath}/`)) return location;
    if (dropQuery) url.searchParams.delete(dropQuery);
    return `${door}/${url.pathname.slice(upstream.basePath.length + 1)}${url.search}`;
  };
}
