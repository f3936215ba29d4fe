import type { Logger } from "pino";
import type { TokenAuthority } from "../auth.js";
import type { ResolvedConfig } from "../config.js";
import type { HealthTracker } from "../health/tracker.js";
import type { ProxyMetrics } from "../metrics.js";
import type { PriceBook } from "../pricing/price.js";
import type { SecretReader } from "../secrets.js";
import type { LedgerStore } from "../store/ledger-store.js";

export interface ProxyLimits {
  /** Request body cap for LLM/API/forward requests (413 beyond). */
  maxBodyBytes: number;
  /** Calls one agent may have in flight (429 beyond). */
  maxInFlightPerAgent: number;
  /** undici: time to the upstream's response headers, and the longest silence between body chunks. */
  upstreamHeadersTimeoutMs: number;
  upstreamBodyTimeoutMs: number;
  /** CONNECT tunnels: idle timeout. */
  tunnelIdleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ProxyLimits = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxInFlightPerAgent: 32,
  upstreamHeadersTimeoutMs: 300_000,
  upstreamBodyTimeoutMs: 120_000,
  tunnelIdleTimeoutMs: 300_000,
};

/** Everything a step may use; built once by buildProxy. */
export interface ProxyContext {
  /** Re-reads config.json and swaps it in (reload.ts; absent when the proxy was built from an object). */
  reloadConfig?: () => { agents: number };
  config: ResolvedConfig;
  secrets: SecretReader;
  tokens: TokenAuthority;
  store: LedgerStore;
  health: HealthTracker;
  prices: PriceBook;
  metrics: ProxyMetrics;
  log: Logger;
  now: () => number;
  limits: ProxyLimits;
  inFlight: Map<string, number>;
  /** Agents already logged for sending key- or endpoint-selecting body fields (logged once each). */
  warnedRouting: Set<string>;
}
