import type { IncomingHttpHeaders } from "node:http";
import { agentToken, operatorToken, tokensEqual } from "../common/tokens.js";

/**
 * Where SDKs put the API key: `Authorization: Bearer` (OpenAI, AI SDK), `x-api-key` (Anthropic),
 * `x-goog-api-key` or `?key=` (Gemini). All of them are removed before anything is forwarded.
 */
export const CREDENTIAL_HEADERS = [
  "authorization",
  "x-api-key",
  "x-goog-api-key",
  "api-key",
  "proxy-authorization",
];
export const CREDENTIAL_QUERY = ["key"];

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

function bearer(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/** The token a request presents in any supported slot (first non-empty wins), or undefined. */
export function presentedToken(headers: IncomingHttpHeaders, search: URLSearchParams): string | undefined {
  return (
    bearer(first(headers.authorization)) ??
    (first(headers["x-api-key"]) || undefined) ??
    (first(headers["x-goog-api-key"]) || undefined) ??
    (first(headers["api-key"]) || undefined) ??
    (search.get("key") || undefined)
  );
}

/**
 * The 407's challenges, one `proxy-authenticate` line each. Browsers answer only schemes they know, so
 * Basic comes first (Chromium, through Playwright's proxy credentials); Bearer stays for SDK clients.
 */
export const PROXY_CHALLENGES = ['Basic realm="openlegion-egress"', 'Bearer realm="openlegion-egress"'];

/** Proxy-Authorization for forward/CONNECT: `Bearer <token>` or `Basic base64(any:<token>)`. */
export function presentedProxyToken(headers: IncomingHttpHeaders): string | undefined {
  const value = first(headers["proxy-authorization"]);
  if (!value) return undefined;
  const token = bearer(value);
  if (token) return token;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!basic?.[1]) return undefined;
  const decoded = Buffer.from(basic[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon >= 0 ? decoded.slice(colon + 1) || undefined : undefined;
}

/**
 * Maps tokens to agents. Every agent's token is derived once at boot into a Map (derived token → agent id),
 * so a request costs one hash lookup plus one constant-time compare of the entry it found, instead of an
 * HMAC per agent. The lookup's timing depends on the presented string's hash (seeded per process), so it
 * cannot be walked character by character toward a real token; the entry found is confirmed with tokensEqual.
 */
export class TokenAuthority {
  readonly #byToken: ReadonlyMap<string, { id: string; token: string }>;
  readonly #operator: string;

  constructor(masterKey: string, agents: Iterable<{ id: string; tokenGeneration: number }>) {
    this.#byToken = new Map(
      [...agents].map(({ id, tokenGeneration }) => {
        const token = agentToken(masterKey, id, tokenGeneration);
        return [token, { id, token }];
      }),
    );
    this.#operator = operatorToken(masterKey);
  }

  agentFor(token: string | undefined): string | undefined {
    if (!token || token.length > 512) return undefined;
    const entry = this.#byToken.get(token);
    // The entry found is confirmed with the constant-time compare (defence in depth: the check stays in the
    // path whatever the lookup structure becomes).
    return entry && tokensEqual(token, entry.token) ? entry.id : undefined;
  }

  isOperator(token: string | undefined): boolean {
    if (!token || token.length > 512) return false;
    return tokensEqual(token, this.#operator);
  }
}
