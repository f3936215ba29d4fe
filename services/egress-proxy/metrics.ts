/**
 * A minimal Prometheus registry: counters with fixed label names, text exposition format 0.0.4.
 * Label values come from config (agent ids, provider names, configured models) or from a fixed set,
 * so cardinality is bounded; unknown models are reported as "other".
 */
type Labels = Record<string, string>;

class Counter {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  inc(labels: Labels, by = 1): void {
    if (!(by > 0)) return;
    const key = this.labelNames.map((l) => escapeLabel(labels[l] ?? "")).join("\u0000");
    if (!this.values.has(key) && this.values.size >= 10_000) return;
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values) {
      const parts = key.split("\u0000");
      const labels = this.labelNames.map((l, i) => `${l}="${parts[i] ?? ""}"`).join(",");
      lines.push(`${this.name}${labels ? `{${labels}}` : ""} ${value}`);
    }
    return lines.join("\n");
  }
}

const NEEDS_ESCAPE = /[\\"\n]/;

function escapeLabel(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

export class ProxyMetrics {
  readonly requests = new Counter(
    "openlegion_proxy_requests_total",
    "Requests handled, by door and outcome.",
    ["agent", "route", "provider", "model", "status"],
  );
  readonly tokens = new Counter("openlegion_proxy_tokens_total", "Tokens metered, by direction.", [
    "agent",
    "provider",
    "model",
    "direction",
  ]);
  readonly cost = new Counter("openlegion_proxy_cost_usd_total", "Settled cost in USD.", [
    "agent",
    "provider",
    "model",
  ]);
  readonly budgetRefusals = new Counter(
    "openlegion_proxy_budget_refusals_total",
    "Calls refused by budget or freeze.",
    ["agent", "provider", "model", "reason"],
  );
  readonly cooldownRefusals = new Counter(
    "openlegion_proxy_cooldown_refusals_total",
    "Calls refused while a model cooled down.",
    ["provider", "model"],
  );
  readonly usageMissing = new Counter(
    "openlegion_proxy_usage_missing_total",
    "Calls settled without reported usage.",
    ["agent", "provider", "model", "source"],
  );

  render(): string {
    return `${[
      this.requests,
      this.tokens,
      this.cost,
      this.budgetRefusals,
      this.cooldownRefusals,
      this.usageMissing,
    ]
      .map((c) => c.render())
      .join("\n")}\n`;
  }
}
