import type { LanguageModel } from "ai";
import { PROXY_AGENT_CODES } from "../../common/contracts/proxy-error.js";
import { type ModelFailure, nextAttempt } from "../core/failover.js";
import { AgentErrors } from "../errors.js";
import { callModel, ModelCallError, type ModelCallInput, type ModelCallResult } from "../model/call.js";

export interface StepDeps {
  /** `[model, ...fallback_models]`. */
  models: readonly string[];
  /** May be async: the first use of a provider imports its SDK package. */
  resolve: (id: string) => LanguageModel | Promise<LanguageModel>;
  onFailover?: (from: string, failure: ModelFailure) => void;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });

/**
 * One model call with failover: walks the model list per the pure policy in core/failover.ts and
 * returns the first success with the model that produced it. Throws OlError (model failed, all models
 * failed) or the abort reason.
 */
export async function stepWithFailover(
  deps: StepDeps,
  input: Omit<ModelCallInput, "model">,
): Promise<ModelCallResult & { model: string }> {
  const failures: ModelFailure[] = [];
  const tried: string[] = [];
  for (;;) {
    const decision = nextAttempt(deps.models, failures);
    if (decision.action === "give_up") {
      const last = failures[failures.length - 1];
      const lastModel = tried[tried.length - 1] ?? deps.models[0] ?? "?";
      if (last?.kind === "abort") throw input.signal.reason ?? AgentErrors.cancelled("aborted");
      if (last?.code === PROXY_AGENT_CODES.contextOverflow)
        throw AgentErrors.contextOverflow(lastModel, last.message);
      if (decision.reason === "not_retryable" || tried.length === 1) {
        throw AgentErrors.modelFailed(lastModel, last?.status, last?.message ?? "unknown error");
      }
      throw AgentErrors.allModelsFailed(tried, last?.message ?? "unknown error");
    }
    if (decision.waitS > 0) await sleep(decision.waitS * 1000, input.signal);
    tried.push(decision.model);
    try {
      const result = await callModel({ ...input, model: await deps.resolve(decision.model) });
      return { ...result, model: decision.model };
    } catch (error) {
      if (!(error instanceof ModelCallError)) throw error;
      failures.push(error.failure);
      deps.onFailover?.(decision.model, error.failure);
    }
  }
}
