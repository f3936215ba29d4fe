/**
 * Model cooldown policy as data (ARCHITECTURE.md §6; STYLE.md "Policy is data with defaults").
 * Rules are tried in order; the first whose `match` holds decides. `ladder` is indexed by how many
 * consecutive failures of that class the model had (the last step repeats).
 */
export type Outcome =
  /** `retryAfterS`: what the provider's retry-after asked for (already capped), if anything. */
  | { kind: "status"; status: number; retryAfterS?: number | undefined }
  | { kind: "timeout" }
  | { kind: "connection" };

export interface CooldownRule {
  name: string;
  match: (o: Outcome) => boolean;
  /** Seconds; an empty ladder means "never cool down". */
  ladder: readonly number[];
  /**
   * "shared": the signal is about the provider or the account, so the model cools for every agent.
   * "agent": one agent's request can provoke it (a request over the per-request token limit answered 429, a
   * malformed one answered 401/403), so only that agent's calls to the model cool. A genuinely provider-wide
   * 401/429 still reaches every agent: each cools after its own first refusal.
   */
  scope: "shared" | "agent";
}

const status = (o: Outcome, test: (s: number) => boolean): boolean => o.kind === "status" && test(o.status);

export const COOLDOWN_POLICY: readonly CooldownRule[] = [
  {
    name: "caller-error",
    match: (o) => status(o, (s) => s === 400 || s === 404 || s === 413 || s === 422),
    ladder: [],
    scope: "agent",
  },
  {
    name: "billing",
    match: (o) => status(o, (s) => s === 402),
    ladder: [3600],
    scope: "shared",
  },
  {
    name: "rate-limit-or-auth",
    match: (o) => status(o, (s) => [401, 403, 429].includes(s)),
    ladder: [3600],
    scope: "agent",
  },
  {
    // 408 is the provider timing out the request: cooled like our own timeouts (the seed does too).
    name: "server-error",
    match: (o) => o.kind !== "status" || status(o, (s) => s >= 500 || s === 408),
    ladder: [60, 300, 1500],
    scope: "shared",
  },
];

/**
 * Cooldown in seconds for the n-th consecutive failure (n ≥ 1), or 0 when the outcome does not cool the model.
 * A provider's retry-after that is longer than the table's value wins (it knows its own limits); a shorter one
 * does not shorten the table's cooldown, and it never makes a non-cooling outcome (400, 404, …) cool.
 */
export function cooldownFor(
  outcome: Outcome,
  consecutive: number,
): { seconds: number; rule: string; scope: CooldownRule["scope"] } {
  const rule = COOLDOWN_POLICY.find((r) => r.match(outcome));
  if (!rule || rule.ladder.length === 0) return { seconds: 0, rule: rule?.name ?? "none", scope: "agent" };
  const step = Math.min(Math.max(consecutive, 1), rule.ladder.length) - 1;
  const table = rule.ladder[step] ?? 0;
  const asked = outcome.kind === "status" ? (outcome.retryAfterS ?? 0) : 0;
  return { seconds: Math.max(table, asked), rule: rule.name, scope: rule.scope };
}

export const describeOutcome = (o: Outcome): string =>
  o.kind !== "status"
    ? o.kind
    : o.retryAfterS === undefined
      ? `HTTP ${o.status}`
      : `HTTP ${o.status} (retry-after ${o.retryAfterS} s)`;
