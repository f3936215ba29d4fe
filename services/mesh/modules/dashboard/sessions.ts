import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "ol_session";

export interface Session {
  readonly csrf: string;
  readonly expiresAt: number;
}

interface Limits {
  /** Session lifetime (ms); the cookie's Max-Age matches. */
  ttlMs: number;
  /** Login-code lifetime (ms). */
  codeTtlMs: number;
  /** Live sessions kept; the oldest is dropped beyond this. */
  maxSessions: number;
  /** Unused login codes kept; the oldest is dropped beyond this. */
  maxCodes: number;
}

export const defaultSessionLimits: Limits = {
  ttlMs: 8 * 3_600_000,
  codeTtlMs: 120_000,
  maxSessions: 32,
  maxCodes: 8,
};

const digest = (secret: string): string => createHash("sha256").update(secret).digest("base64url");
const secret = (): string => randomBytes(32).toString("base64url");

/**
 * Dashboard sessions and one-time login codes, in the mesh's memory (a restart logs everyone out).
 * Only digests of the session ids and codes are kept: the map key reveals nothing if dumped, and a
 * lookup by digest leaks no timing about the secret. Every request re-validates (present, unexpired);
 * a session's CSRF token is compared in constant time. Both maps are bounded.
 */
export class DashboardSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #codes = new Map<string, number>();
  readonly #limits: Limits;
  readonly #now: () => number;

  constructor(now: () => number, limits: Partial<Limits> = {}) {
    this.#now = now;
    this.#limits = { ...defaultSessionLimits, ...limits };
  }

  get ttlMs(): number {
    return this.#limits.ttlMs;
  }

  /** A new session: the cookie value (give it to the browser once) and its CSRF token. */
  create(): { id: string; session: Session } {
    this.#prune();
    const id = secret();
    const session = { csrf: secret(), expiresAt: this.#now() + this.#limits.ttlMs };
    this.#sessions.set(digest(id), session);
    bound(this.#sessions, this.#limits.maxSessions);
    return { id, session };
  }

  /** The live session of a cookie value, or undefined (unknown or expired: expired ones are dropped). */
  get(id: string): Session | undefined {
    const key = digest(id);
    const s = this.#sessions.get(key);
    if (!s) return undefined;
    if (s.expiresAt <= this.#now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return s;
  }

  end(id: string): boolean {
    return this.#sessions.delete(digest(id));
  }

  /** A one-time login code for `openlegion dashboard`. */
  issueCode(): { code: string; expiresAt: number } {
    this.#prune();
    const code = secret();
    const expiresAt = this.#now() + this.#limits.codeTtlMs;
    this.#codes.set(digest(code), expiresAt);
    bound(this.#codes, this.#limits.maxCodes);
    return { code, expiresAt };
  }

  /** True once per unexpired code; the code is spent either way. */
  redeem(code: string): boolean {
    const key = digest(code);
    const expiresAt = this.#codes.get(key);
    this.#codes.delete(key);
    return expiresAt !== undefined && expiresAt > this.#now();
  }

  #prune(): void {
    const now = this.#now();
    for (const [k, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(k);
    for (const [k, at] of this.#codes) if (at <= now) this.#codes.delete(k);
  }
}

/** Constant-time equality of a presented CSRF token with the session's. */
export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(digest(presented));
  const b = Buffer.from(digest(session.csrf));
  return timingSafeEqual(a, b);
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bound<V>(map: Map<string, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) return;
    map.delete(oldest);
  }
}
