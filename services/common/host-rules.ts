import { domainToASCII } from "node:url";

/**
 * Host allowlist rules, in the shape the fleet schema accepts: `api.example.com`, `*.example.com`, `*`,
 * each optionally `:port`. Without a port a rule admits only 80 and 443; `*.example.com` matches any
 * subdomain depth but not `example.com` itself.
 */
export interface HostRule {
  pattern: string;
  kind: "exact" | "suffix" | "any";
  host: string;
  port: number | undefined;
}

const DEFAULT_PORTS = new Set([80, 443]);

export function compileHostPattern(pattern: string): HostRule {
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(pattern.toLowerCase());
  const hostPart = match?.[1] ?? "";
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (hostPart === "*") return { pattern, kind: "any", host: "", port };
  if (hostPart.startsWith("*.")) return { pattern, kind: "suffix", host: hostPart.slice(1), port };
  return { pattern, kind: "exact", host: hostPart, port };
}

/** Lower-cases, strips one trailing dot and converts IDN to punycode; undefined when the name is unusable. */
export function normalizeHost(host: string): string | undefined {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) return h;
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (h.length === 0 || h.length > 253) return undefined;
  const ascii = domainToASCII(h);
  return ascii === "" ? undefined : ascii;
}

/** Returns the rule that admits host:port, or undefined. `host` must be normalized. */
export function findHostRule(rules: readonly HostRule[], host: string, port: number): HostRule | undefined {
  return rules.find((rule) => {
    const portOk = rule.port === undefined ? DEFAULT_PORTS.has(port) : rule.port === port;
    if (!portOk) return false;
    if (rule.kind === "any") return true;
    if (rule.kind === "suffix") return host.endsWith(rule.host) && host.length > rule.host.length;
    return host === rule.host;
  });
}

/** The rule that admits an http(s) URL's host and port (default ports by scheme), or undefined. */
export function findUrlRule(rules: readonly HostRule[], url: URL): HostRule | undefined {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return findHostRule(rules, normalizeHost(url.hostname) ?? url.hostname, port);
}

/** Splits a CONNECT authority `host:port` / `[v6]:port`; undefined when malformed. */
export function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/@\s]+):(\d{1,5})$/.exec(authority);
  if (!match?.[1] || !match[2]) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1], port };
}
