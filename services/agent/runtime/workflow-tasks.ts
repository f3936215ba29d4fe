import type { Logger } from "pino";
import {
  type WorkflowCancel,
  type WorkflowResult,
  type WorkflowTask,
  workflowCancelSchema,
  workflowTaskSchema,
} from "../../common/contracts/mesh-api.js";
import { MeshRoutes } from "../../common/contracts/mesh-routes.js";
import { isOlError } from "../../common/errors.js";
import { failure, renderWorkflowPrompt, workflowOutcome } from "../core/workflow-task.js";
import type { RunResult } from "../loop/run.js";
import type { WorkflowRepo } from "../state/workflow-repo.js";
import type { MeshClient } from "../tools/mesh/client.js";

/** Result POST attempts (bounded exponential backoff, ~30 s in all); the rest waits for a redelivery or a restart. */
export const REPORT_ATTEMPTS = 7;
export const REPORT_BASE_DELAY_MS = 250;
export const REPORT_MAX_DELAY_MS = 10_000;

/** Queues a task-mode run; `cancel` drops it from the queue or aborts it while it runs. */
export type TaskRunner = (
  id: string,
  prompt: string,
  from: string,
) => { done: Promise<RunResult>; cancel: (why: string) => void };

export interface WorkflowDeps {
  repo: WorkflowRepo;
  mesh: MeshClient;
  log: Logger;
  run: TaskRunner;
  reportDelayMs?: number;
}

/** A mesh inbox payload this module handles, or undefined (then it is a chat message). */
export function workflowPayload(payload: unknown): WorkflowTask | WorkflowCancel | undefined {
  let p = payload;
  if (typeof p === "string" && p.startsWith("{")) {
    try {
      p = JSON.parse(p);
    } catch {
      return undefined;
    }
  }
  const task = workflowTaskSchema.safeParse(p);
  if (task.success) return task.data;
  const cancel = workflowCancelSchema.safeParse(p);
  return cancel.success ? cancel.data : undefined;
}

/**
 * The agent side of the workflow contract (docs/workflows.md "Agent contract"): each workflow_task runs
 * once per dispatch key in task mode, its outcome is stored in SQLite and posted to the mesh (retried);
 * a redelivered key re-reports the stored outcome; workflow_cancel stops the attempt.
 */
export class WorkflowTasks {
  readonly #d: WorkflowDeps;
  readonly #active = new Map<string, { cancel: (why: string) => void; why?: "cancel" | "timeout" }>();
  readonly #closing = new AbortController();

  constructor(deps: WorkflowDeps) {
    this.#d = deps;
    const interrupted = deps.repo.interruptRunning();
    if (interrupted > 0) {
      deps.log.warn({ interrupted }, "workflow steps interrupted by a restart rerun on redelivery");
      void this.#retrying("resend request", () => deps.mesh.call(MeshRoutes.resendOpenSteps, {}));
    }
    for (const row of deps.repo.unreported()) if (row.outcome) void this.#report(row.outcome);
  }

  get active(): number {
    return this.#active.size;
  }

  handle(p: WorkflowTask | WorkflowCancel, from: string): void {
    if (p.type === "workflow_cancel") {
      this.#cancel(p.dispatch_key);
      return;
    }
    const { repo, log } = this.#d;
    const key = p.dispatch_key;
    const prior = repo.get(key);
    if (prior?.status === "done" && prior.outcome) {
      log.info(
        { dispatch_key: key, step: prior.step_id },
        "workflow step redelivered: re-reporting its result",
      );
      void this.#report(prior.outcome);
      return;
    }
    if (this.#active.has(key) || !repo.begin(p)) {
      log.info({ dispatch_key: key }, "workflow step redelivered while it runs: ignored");
      return;
    }
    this.#start(p, from);
  }

  #start(t: WorkflowTask, from: string): void {
    const key = t.dispatch_key;
    const { done, cancel } = this.#d.run(
      `wf-${key.slice(0, 16)}-${t.attempt}`,
      renderWorkflowPrompt(t),
      from,
    );
    const entry: { cancel: (why: string) => void; why?: "cancel" | "timeout" } = { cancel };
    this.#active.set(key, entry);
    const timer =
      t.timeout_ms != null
        ? setTimeout(() => {
            entry.why = "timeout";
            cancel(`the step's timeout of ${t.timeout_ms} ms passed`);
          }, t.timeout_ms)
        : undefined;
    timer?.unref();
    done
      .then((r) => {
        if (r.status === "cancelled" && entry.why === undefined) {
          // Reset or shutdown, not the mesh: no result; the row stays running → interrupted at the next boot.
          this.#d.log.warn({ dispatch_key: key }, "workflow step cancelled locally; it reruns on redelivery");
          return;
        }
        const outcome =
          entry.why === "cancel"
            ? failure(key, "error", "cancelled by the mesh (workflow_cancel)")
            : workflowOutcome(key, r, entry.why === "timeout");
        this.#d.repo.finish(key, outcome);
        return this.#report(outcome);
      })
      .catch((err: unknown) =>
        this.#d.log.error({ err, dispatch_key: key }, "workflow step failed to finish"),
      )
      .finally(() => {
        clearTimeout(timer);
        this.#active.delete(key);
      });
  }

  #cancel(key: string): void {
    const entry = this.#active.get(key);
    if (!entry) return;
    entry.why ??= "cancel";
    entry.cancel("cancelled by the mesh (workflow_cancel)");
  }

  /** POST the outcome (retried); a final refusal marks it reported so it is not sent again. */
  async #report(outcome: WorkflowResult): Promise<boolean> {
    const { mesh, repo, log } = this.#d;
    const key = outcome.dispatch_key;
    const reply = await this.#retrying(`result of ${key}`, () =>
      mesh.call(MeshRoutes.stepResult, { body: outcome }),
    );
    if (reply === "refused") repo.markReported(key);
    if (reply === "refused" || reply === "gave_up") return false;
    repo.markReported(key);
    log.info({ dispatch_key: key, ok: outcome.ok, reply }, "workflow result reported");
    return true;
  }

  /** Calls the mesh; network errors, 429 and 5xx are retried with bounded backoff, other answers are final. */
  async #retrying<T>(what: string, call: () => Promise<T>): Promise<T | "refused" | "gave_up"> {
    const base = this.#d.reportDelayMs ?? REPORT_BASE_DELAY_MS;
    for (let attempt = 1; attempt <= REPORT_ATTEMPTS; attempt++) {
      if (this.#closing.signal.aborted) return "gave_up";
      try {
        return await call();
      } catch (err) {
        const status = isOlError(err) ? Number(err.details?.status ?? 0) : 0;
        const transient = status === 0 || status === 429 || status >= 500;
        if (!transient || attempt === REPORT_ATTEMPTS) {
          this.#d.log.warn({ err, what, attempt }, "mesh call not accepted");
          return transient ? "gave_up" : "refused";
        }
        const delay = Math.min(REPORT_MAX_DELAY_MS, base * 2 ** (attempt - 1));
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          const stop = () => {
            clearTimeout(t);
            resolve();
          };
          this.#closing.signal.addEventListener("abort", stop, { once: true });
        });
      }
    }
    return "gave_up";
  }

  /** Stops result retries (the unreported ones are resent at the next boot). */
  close(): void {
    this.#closing.abort();
  }
}
