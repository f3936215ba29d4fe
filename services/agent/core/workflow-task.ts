import {
  WORKFLOW_ERROR_MESSAGE_MAX,
  type WorkflowResult,
  type WorkflowTask,
} from "../../common/contracts/mesh-api.js";
import type { RunResult } from "../loop/run.js";

/** Input JSON beyond this many characters is cut in the prompt (the model is told). */
export const WORKFLOW_INPUT_MAX_CHARS = 50_000;
/** A result whose JSON is larger than this is reported as a failure instead (the mesh stores it). */
export const WORKFLOW_RESULT_MAX_CHARS = 200_000;

/** The user text of a workflow step's task-mode run: the action, task type, input and the answer format. */
export function renderWorkflowPrompt(t: WorkflowTask): string {
  let input = JSON.stringify(t.input ?? null, null, 2);
  if (input.length > WORKFLOW_INPUT_MAX_CHARS)
    input = `${input.slice(0, WORKFLOW_INPUT_MAX_CHARS)}\n… (input cut at ${WORKFLOW_INPUT_MAX_CHARS} characters)`;
  return [
    `[workflow task: run ${t.run_id}, step ${t.step_id}, attempt ${t.attempt}]`,
    t.action ? `Action: ${t.action}` : undefined,
    t.task_type ? `Task type: ${t.task_type}` : undefined,
    "Input:",
    input,
    "",
    "Do the task with your tools, then give the step's result as your final answer. When the result is " +
      "structured data, answer with only one JSON value (no prose around it); otherwise answer in plain text.",
  ]
    .filter((l) => l !== undefined)
    .join("\n");
}

/** The final answer as the step result: JSON when the whole answer (or one fenced block) is JSON, else {text}. */
export function parseAnswer(reply: string): unknown {
  const text = reply.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/.exec(text);
  for (const candidate of fenced?.[1] !== undefined ? [fenced[1], text] : [text]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // not JSON
    }
  }
  return { text: reply };
}

const cut = (s: string) =>
  s.length > WORKFLOW_ERROR_MESSAGE_MAX ? s.slice(0, WORKFLOW_ERROR_MESSAGE_MAX) : s;

/** What to report for a finished run; `timedOut` = the step's own timeout stopped it. */
export function workflowOutcome(key: string, r: RunResult, timedOut = false): WorkflowResult {
  if (r.status === "completed") {
    const result = parseAnswer(r.reply);
    const size = JSON.stringify(result)?.length ?? 0;
    if (size <= WORKFLOW_RESULT_MAX_CHARS) return { dispatch_key: key, ok: true, result: result as never };
    return failure(
      key,
      "error",
      `the result is ${size} characters of JSON (limit ${WORKFLOW_RESULT_MAX_CHARS})`,
    );
  }
  const detail = r.error ? `${r.error.code}: ${r.error.message}` : "no answer";
  if (timedOut) return failure(key, "timeout", `the step's timeout ended the run (${detail})`);
  return failure(key, r.status === "timeout" ? "timeout" : "error", `run ${r.status}: ${detail}`);
}

export function failure(
  key: string,
  kind: "error" | "timeout" | "validation",
  message: string,
): WorkflowResult {
  return { dispatch_key: key, ok: false, error: { kind, message: cut(message) } };
}
