import { costOf } from "../pricing/price.js";
import type { ModelPrice } from "../pricing/table.js";
import type { Usage, UsageSource } from "../usage/types.js";
import { ZERO_USAGE } from "../usage/types.js";
import type { Call } from "./types.js";

export interface Charge {
  usage: Usage;
  source: UsageSource;
  costUsd: number;
}

/**
 * What a finished (or failed, or cut) call costs — pure. Reported usage is charged as reported. A call cut
 * before its usage arrived is charged an estimate (known input, output ≈ relayed bytes / 4) capped at the
 * reservation; an error the provider answered without usage costs nothing; a call that never reached the
 * provider costs nothing.
 */
export function chargeFor(call: Call, price: ModelPrice, reserveUsd: number): Charge {
  const meter = call.meter;
  const facts = call.facts;
  if (!meter || call.status === undefined) return { usage: ZERO_USAGE, source: "none", costUsd: 0 };
  const reported = meter.usage();
  const ok = call.status >= 200 && call.status < 300;
  if (reported && meter.complete && !call.clientAborted && !call.upstreamFailure) {
    return { usage: reported, source: "reported", costUsd: costOf(reported, price) };
  }
  if (!ok) {
    return reported
      ? { usage: reported, source: "reported", costUsd: costOf(reported, price) }
      : { usage: ZERO_USAGE, source: "none", costUsd: 0 };
  }
  const relayedTokens = Math.ceil(meter.relayedBytes / 4);
  const outputCap = facts?.outputTokens ?? relayedTokens;
  const usage: Usage = reported
    ? { ...reported, outputTokens: Math.max(reported.outputTokens, Math.min(relayedTokens, outputCap)) }
    : {
        ...ZERO_USAGE,
        inputTokens: facts?.inputTokens ?? 0,
        outputTokens: Math.min(relayedTokens, outputCap),
      };
  return {
    usage,
    source: reported ? "partial" : "estimated",
    costUsd: Math.min(costOf(usage, price), reserveUsd),
  };
}
