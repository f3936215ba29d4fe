import { createHmac, randomBytes } from "node:crypto";
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
 * Maps tokens to agents with one HMAC per request: every agent's token is derived once at boot and stored
 * under its HMAC with a key drawn per process; a presented token is HMAC'd once and looked up. The lookup
 * compares digests the caller cannot predict (the key never leaves the process), so its timing says
 * nothing about how close a guess is to a real token, and no second compare is needed (issue 15: the old
 * lookup-then-tokensEqual cost three SHA-256 HMACs per call).
 */
export class TokenAuthority {
  readonly #key = randomBytes(32);
  readonly #byDigest: ReadonlyMap<string, string>;
  readonly #operator: string;

  constructor(masterKey: string, agents: Iterable<{ id: string; tokenGeneration: number }>) {
    this.#byDigest = new Map(
      [...agents].map(({ id, tokenGeneration }) => [
        this.#digest(agentToken(masterKey, id, tokenGeneration)),
        id,
      ]),
    );
    this.#operator = operatorToken(masterKey);
  }

  agentFor(token: string | undefined): string | undefined {
    if (!token || token.length > 512) return undefined;
    return this.#byDigest.get(this.#digest(token));
  }

  isOperator(token: string | undefined): boolean {
    if (!token || token.length > 512) return false;
    return tokensEqual(token, this.#operator);
  }

  #digest(token: string): string {
    return createHmac("sha256", this.#key).update(token).digest("base64");
  }
}
