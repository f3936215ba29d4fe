import { z } from "zod";
import { ToolErrors } from "./errors.js";
import { proxiedFetch } from "./http-request.js";
import { defineTool } from "./types.js";

export const SEARCH_URL = "https://html.duckduckgo.com/html/";
export const SEARCH_MAX_RESULTS = 10;

const decode = (s: string): string =>
  s
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .trim();

/** Extracts result links from DuckDuckGo's HTML endpoint (no key). Exported for unit tests. */
export function parseDuckDuckGo(
  html: string,
  max = SEARCH_MAX_RESULTS,
): { title: string; url: string; snippet: string }[] {
  const out: { title: string; url: string; snippet: string }[] = [];
  // One chunk per result: from one result__a link to the next.
  const chunks = html.split(/(?=<a[^>]*class="result__a")/).slice(1);
  for (const chunk of chunks) {
    if (out.length >= max) break;
    const link = /<a[^>]*class="result__a"[^>]*href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/.exec(chunk);
    if (!link) continue;
    let url = decode(link[1] ?? "");
    const uddg = /[?&]uddg=([^&]+)/.exec(url);
    if (uddg?.[1]) url = decodeURIComponent(uddg[1]);
    if (url.startsWith("//")) url = `https:${url}`;
    const snippet = /class="result__snippet"[^>]*>([\s\S]*?)<\/(?:a|div|td)>/.exec(chunk);
    out.push({ title: decode(link[2] ?? ""), url, snippet: decode(snippet?.[1] ?? "") });
  }
  return out;
}

export const webSearchTool = defineTool({
  name: "web_search",
  description: `Search the web (DuckDuckGo, through the egress proxy; needs html.duckduckgo.com in allowed_hosts). Returns up to ${SEARCH_MAX_RESULTS} results.`,
  input: z.strictObject({ query: z.string().min(1).max(500) }),
  async run(args, ctx) {
    const res = await proxiedFetch(ctx.proxy, {
      url: `${SEARCH_URL}?${new URLSearchParams({ q: args.query })}`,
      method: "GET",
      headers: { "user-agent": "Mozilla/5.0 (compatible; OpenLegion agent)" },
      signal: ctx.signal,
    });
    if (res.status !== 200) throw ToolErrors.http(`search answered HTTP ${res.status}`);
    const results = parseDuckDuckGo(res.body);
    return results.length ? results : "no results";
  },
});
