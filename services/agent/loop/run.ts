import type { ModelMessage } from "ai";
import { isOlError } from "../../common/errors.js";
import { DEFAULT_RESULT_MAX_CHARS } from "../core/cap-result.js";
import { DEFAULT_LIMITS, decideStep, type RunLimits, type RunMode } from "../core/limits.js";
import { LoopDetector } from "../core/loop-detector.js";
import { AgentErrors } from "../errors.js";
import type { ToolSpec } from "../model/call.js";
import { ToolRegistry } from "../tools/registry.js";
import type { ToolContext } from "../tools/types.js";
import type { SteerQueue } from "./steer-queue.js";
import { type StepDeps, stepWithFailover } from "./step.js";
import { runToolBatch } from "./tool-batch.js";

export type LoopEvent =
  | { type: "delta"; text: string }
  | { type: "tool"; name: string; status: "start" | "end" | "error" }
  | { type: "step"; model: string; calls: number };

export type RunStatus =
  | "completed"
  | "iteration_limit"
  | "tool_limit_reached"
  | "loop_detected"
  | "cancelled"
  | "timeout"
  | "failed";

export interface RunResult {
  status: RunStatus;
  reply: string;
  /** Messages this run added after `history` (the new user message first). */
  added: ModelMessage[];
  calls: number;
  toolCalls: number;
  usage: { input: number; output: number };
  models: string[];
  error?: { code: string; message: string };
}

export interface RunInput {
  mode: RunMode;
  system: string;
  history: readonly ModelMessage[];
  /** The new user message (task description or chat message). */
  prompt: string;
  registry: ToolRegistry;
  toolCtx: Omit<ToolContext, "signal">;
  step: StepDeps;
  signal: AbortSignal;
  steer?: SteerQueue;
  limits?: RunLimits;
  maxOutputTokens?: number;
  temperature?: number;
  resultMaxChars?: number;
  onEvent?: (event: LoopEvent) => void;
  onToolFailure?: (tool: string, text: string) => void;
}

/**
 * The agent loop: model call → tool batch → (steer) → model call …, until the model answers without
 * tool calls or a limit ends the run. Everything that can fail becomes a status, never an exception:
 * the caller persists `added` and reports `status`.
 */
export async function runLoop(input: RunInput): Promise<RunResult> {
  const limits = input.limits ?? DEFAULT_LIMITS;
  // A timer cleared when the run ends (AbortSignal.timeout would keep each run's signal graph alive
  // for the full runTimeoutS after the run, i.e. for hundreds of turns).
  const timeoutCtl = new AbortController();
  const timeout = timeoutCtl.signal;
  const timer = setTimeout(
    () => timeoutCtl.abort(new DOMException("The run timed out", "TimeoutError")),
    limits.runTimeoutS * 1000,
  );
  timer.unref();
  const signal = AbortSignal.any([input.signal, timeout]);
  const detector = new LoopDetector();
  const tools: ToolSpec[] = input.registry
    .list()
    .map((t) => ({ name: t.name, description: t.description, schema: ToolRegistry.schemaOf(t) }));
  const added: ModelMessage[] = [{ role: "user", content: input.prompt }];
  const result: RunResult = {
    status: "completed",
    reply: "",
    added,
    calls: 0,
    toolCalls: 0,
    usage: { input: 0, output: 0 },
    models: [],
  };
  let toolRounds = 0;
  let toolLessCallMade = false;
  const ctx: ToolContext = { ...input.toolCtx, signal };
  try {
    for (;;) {
      const decision = decideStep(input.mode, { calls: result.calls, toolRounds, toolLessCallMade });
      if (decision.kind === "stop") {
        result.status = decision.reason;
        if (decision.reason === "iteration_limit") {
          const e = AgentErrors.iterationLimit(limits.taskIterations);
          result.error = { code: e.code, message: e.message };
        }
        break;
      }
      for (const text of input.steer?.drain() ?? []) added.push({ role: "user", content: text });
      if (!decision.tools) toolLessCallMade = true;
      const step = await stepWithFailover(input.step, {
        system: input.system,
        messages: [...input.history, ...added],
        tools: decision.tools ? tools : undefined,
        maxOutputTokens: input.maxOutputTokens,
        temperature: input.temperature,
        signal,
        onDelta: (text) => input.onEvent?.({ type: "delta", text }),
      });
      result.calls++;
      result.usage.input += step.usage.input;
      result.usage.output += step.usage.output;
      if (!result.models.includes(step.model)) result.models.push(step.model);
      input.onEvent?.({ type: "step", model: step.model, calls: result.calls });
      if (step.assistant) added.push(step.assistant);
      if (step.text) result.reply = step.text;
      // A model that calls tools on a tool-less request gets no tools run: its text is the answer.
      if (step.toolCalls.length === 0 || !decision.tools) {
        if (!decision.tools && input.mode === "chat") result.status = "tool_limit_reached";
        break;
      }
      toolRounds++;
      result.toolCalls += step.toolCalls.length;
      const batch = await runToolBatch(step.toolCalls, input.registry, detector, ctx, {
        resultMaxChars: input.resultMaxChars ?? DEFAULT_RESULT_MAX_CHARS,
        hooks: {
          onTool: (name, status) => input.onEvent?.({ type: "tool", name, status }),
          onFailure: input.onToolFailure,
        },
      });
      added.push(batch.message);
      if (batch.terminate) {
        const e = AgentErrors.loopDetected(batch.terminate.tool, batch.terminate.count);
        result.status = "loop_detected";
        result.error = { code: e.code, message: e.message };
        break;
      }
      if (signal.aborted) throw signal.reason;
    }
  } catch (error) {
    if (timeout.aborted) {
      const e = AgentErrors.runTimeout(limits.runTimeoutS);
      result.status = "timeout";
      result.error = { code: e.code, message: e.message };
    } else if (input.signal.aborted) {
      const why =
        input.signal.reason instanceof Error
          ? input.signal.reason.message
          : String(input.signal.reason ?? "cancelled");
      const e = AgentErrors.cancelled(why);
      result.status = "cancelled";
      result.error = { code: e.code, message: e.message };
    } else {
      result.status = "failed";
      result.error = isOlError(error)
        ? { code: error.code, message: error.message }
        : {
            code: AgentErrors.internal.code,
            message: error instanceof Error ? error.message : String(error),
          };
    }
  } finally {
    clearTimeout(timer);
  }
  return result;
}
