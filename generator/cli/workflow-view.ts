import type { WorkflowRunDetail } from "../../services/common/contracts/orchestration-routes.js";
import { formatTable } from "../docker/table.js";
import { type Tone, toneOf } from "./colour.js";

type Paint = (tone: Tone, text: string) => string;
type Step = WorkflowRunDetail["steps"][number];

const time = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().slice(11, 19) : "-");
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** What a step ended with, on one line: its error, its result (compact JSON) or why it is waiting. */
export function stepNote(s: Step, max = 60): string {
  if (s.error) return clip(`${s.error.kind}: ${s.error.message}`, max);
  if (s.result !== null) return clip(typeof s.result === "string" ? s.result : JSON.stringify(s.result), max);
  return s.reason ?? "";
}

/**
 * The step table of `workflow show` and of `run --wait` on a terminal. Colour is applied after the
 * columns are padded so that escape codes do not skew the alignment.
 */
export function formatRun(run: WorkflowRunDetail, paint: Paint = (_t, x) => x): string {
  const rows = run.steps.map((s) => [
    s.id,
    s.status,
    String(s.attempt),
    time(s.started_at),
    time(s.finished_at),
    stepNote(s),
  ]);
  const table = formatTable(["STEP", "STATUS", "ATTEMPT", "STARTED", "FINISHED", "RESULT"], rows);
  const width = Math.max("STATUS".length, ...rows.map((r) => (r[1] as string).length));
  const step = Math.max("STEP".length, ...rows.map((r) => (r[0] as string).length));
  const lines = table.split("\n").map((line, i) => {
    if (i === 0) return paint("bold", line);
    const status = run.steps[i - 1]?.status;
    if (!status) return line;
    const at = step + 2;
    return line.slice(0, at) + paint(toneOf(status), line.slice(at, at + width)) + line.slice(at + width);
  });
  const head = `run ${run.id} of ${run.workflow} (${run.trigger.kind} ${run.trigger.name}): ${paint(toneOf(run.status), run.status)}`;
  // An older mesh sends no `promoted`.
  const promoted = run.steps
    .map((s) => [s.id, s.promoted ?? []] as const)
    .filter(([, keys]) => keys.length > 0)
    .map(([id, keys]) => `${id} promoted ${keys.map((p) => `${p.key} (v${p.version})`).join(", ")}`);
  return [head, ...lines, ...promoted].join("\n");
}

/** One line per step whose state changed since `seen` (which is updated): the view off a terminal. */
export function stepChanges(run: WorkflowRunDetail, seen: Map<string, string>): string {
  let out = "";
  for (const s of run.steps) {
    const state = `${s.status}/${s.attempt}`;
    if (seen.get(s.id) === state) continue;
    seen.set(s.id, state);
    const note = stepNote(s);
    out += `${time(s.finished_at ?? s.started_at ?? Date.now())}  ${s.id}  ${s.status}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ""}${note ? `  ${note}` : ""}\n`;
  }
  return out;
}

/** ANSI: move the cursor up `lines` lines and clear to the end of the screen (redraw in place). */
export const rewind = (lines: number) => (lines > 0 ? `\x1b[${lines}A\x1b[J` : "");
