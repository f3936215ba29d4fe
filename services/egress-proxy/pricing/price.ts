import type { Price } from "../../common/contracts/proxy-config.js";
import type { Usage } from "../usage/types.js";
import { BUILTIN_PRICES, builtinToolPrice, DEFAULT_UNKNOWN_PRICE, type ModelPrice } from "./table.js";

export interface PriceLookup {
  price: ModelPrice;
  /**
   * "override" (mesh.yaml), "builtin" (table, possibly by prefix), "local" (a self-hosted provider:
   * free) or "default" (unknown model).
   */
  source: "override" | "builtin" | "local" | "default";
}

const FREE: ModelPrice = { input_per_mtok: 0, output_per_mtok: 0 };

/** Resolves prices by `provider/model`: exact override, exact built-in, longest built-in prefix, then the default. */
export class PriceBook {
  readonly #overrides: Record<string, Price>;
  readonly #prefixes: string[];
  readonly #cache = new Map<string, PriceLookup>();
  readonly #onUnknown: (model: string) => void;

  readonly #localProviders: ReadonlySet<string>;

  constructor(
    overrides: Record<string, Price>,
    onUnknown: (model: string) => void = () => {},
    localProviders: ReadonlySet<string> = new Set(),
  ) {
    this.#overrides = overrides;
    this.#localProviders = localProviders;
    this.#prefixes = Object.keys(BUILTIN_PRICES).sort((a, b) => b.length - a.length);
    this.#onUnknown = onUnknown;
  }

  lookup(model: string): PriceLookup {
    const hit = this.#cache.get(model);
    if (hit) return hit;
    const result = this.#resolve(model);
    if (result.source === "default") this.#onUnknown(model);
    if (this.#cache.size < 10_000) this.#cache.set(model, result);
    return result;
  }

  /** USD for `calls` calls of each provider-side tool (config validation guarantees every granted tool has a price). */
  toolCost(model: string, tools: readonly string[], calls: number): number {
    let usd = 0;
    for (const tool of tools)
      usd += (this.#overrides[model]?.tool_call_usd?.[tool] ?? builtinToolPrice(tool) ?? 0) * calls;
    return usd;
  }

  #resolve(model: string): PriceLookup {
    const override = this.#overrides[model];
    if (override) return { price: override, source: "override" };
    if (this.#localProviders.has(model.slice(0, model.indexOf("/")))) return { price: FREE, source: "local" };
    const exact = BUILTIN_PRICES[model];
    if (exact) return { price: exact, source: "builtin" };
    const prefix = this.#prefixes.find((p) => model.startsWith(`${p}-`) || model.startsWith(`${p}@`));
    if (prefix) return { price: BUILTIN_PRICES[prefix] as ModelPrice, source: "builtin" };
    return { price: DEFAULT_UNKNOWN_PRICE, source: "default" };
  }
}

/** Cost in USD of normalized usage (cached and cache-write tokens are subsets of input). */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const writes = Math.min(usage.cacheWriteTokens, usage.inputTokens - cached);
  const plain = usage.inputTokens - cached - writes;
  const cachedRate = price.cached_input_per_mtok ?? price.input_per_mtok;
  const writeRate = price.cache_write_per_mtok ?? price.input_per_mtok * 1.25;
  return (
    (plain * price.input_per_mtok +
      cached * cachedRate +
      writes * writeRate +
      usage.outputTokens * price.output_per_mtok) /
    1e6
  );
}

/** Worst-case cost of a call before it is sent: every input token at the highest input rate. */
export function worstCaseCost(inputTokens: number, outputTokens: number, price: ModelPrice): number {
  const inputRate = Math.max(price.input_per_mtok, price.cache_write_per_mtok ?? price.input_per_mtok);
  return (inputTokens * inputRate + outputTokens * price.output_per_mtok) / 1e6;
}
