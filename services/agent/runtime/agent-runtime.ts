import { createHash, randomUUID } from "node:crypto";
import type { InboxMessage, ToolJob } from "../../common/contracts/mesh-api.js";
import { MeshRoutes } from "../../common/contracts/mesh-routes.js";
import type { RunMode } from "../core/limits.js";
import { AgentErrors } from "../errors.js";
import type { LoopEvent, RunResult } from "../loop/run.js";
import { SteerQueue } from "../loop/steer-queue.js";
import { CHAT_CONVERSATION, type TaskRow } from "../state/agent-store.js";
import { WorkflowRepo } from "../state/workflow-repo.js";
import type { ToolSource } from "../tools/provider.js";
import { CollectBatch } from "./collect.js";
import { RunQueue } from "./run-queue.js";
import { cancelledResult, failedResult, renderInbox } from "./run-results.js";
import { scheduledOf } from "./scheduled.js";
import { runTurn } from "./turn/run-turn.js";
import { SystemPromptCache } from "./turn/system-prompt.js";
import type { TurnDeps } from "./turn/types.js";
import { type TaskRunner, WorkflowTasks, workflowPayload } from "./workflow-tasks.js";

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const QUEUE_CAP = 50;

/** The turn's dependencies (turn/types.ts) plus what the runtime adds around the queue. */
export interface RuntimeDeps extends Omit<TurnDeps, "tools" | "prompt"> {
  systemPrompt: string;
  project: string;
  /** The tools of each turn: a fixed registry (tests) or the providers' Toolbox. */
  registry: ToolSource;
  queueCap?: number;
  /** The clock of status times (ms since the epoch). */
  now?: () => number;
}

export interface ChatOutcome {
  reply: string;
  status: RunResult["status"];
  error?: { code: string; message: string };
}

/**
 * The agent: one queue of runs (chat turns and tasks), the steer queue of the current run, the chat
 * conversation in SQLite, the daily log and learnings. HTTP routes call into this; it knows no HTTP.
 */
export class AgentRuntime {
  readonly queue: RunQueue;
  readonly workflow: WorkflowTasks;
  readonly #d: RuntimeDeps;
  #steer: SteerQueue | undefined;
  readonly #collect = new CollectBatch();
  #abort: AbortController | undefined;
  #closing = false;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #turn: TurnDeps;

  constructor(deps: RuntimeDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#startedAt = this.#now();
    const { systemPrompt, project, registry, ...rest } = deps;
    this.#turn = {
      ...rest,
      tools: registry,
      prompt: new SystemPromptCache({
        agentId: deps.manifest.id,
        role: deps.manifest.role,
        project,
        systemPrompt,
      }),
    };
    this.queue = new RunQueue(deps.queueCap ?? QUEUE_CAP, this.#now);
    const interrupted = deps.store.interruptUnfinished();
    if (interrupted > 0)
      deps.log.warn({ interrupted }, "tasks left running by the previous process were marked cancelled");
    this.workflow = new WorkflowTasks({
      repo: new WorkflowRepo(deps.store.db),
      mesh: deps.mesh,
      log: deps.log,
      run: this.#queueTaskRun,
    });
  }

  /** A task-mode run in the queue (workflow steps); cancel drops it while queued or aborts it while it runs. */
  readonly #queueTaskRun: TaskRunner = (id, prompt, from) => {
    let settle: (r: RunResult) => void = () => {};
    const done = new Promise<RunResult>((resolve) => {
      settle = resolve;
    });
    const ok = this.queue.push({
      kind: "task",
      id,
      from,
      start: async () => settle(await this.#run("task", prompt, from).catch(failedResult)),
      cancel: (why) => settle({ ...cancelledResult(why), added: [] }),
    });
    if (!ok) settle(failedResult(AgentErrors.queueFull(this.queue.cap)));
    return {
      done,
      cancel: (why) => {
        const queued = this.queue.remove(id);
        if (queued) queued.cancel(why);
        else if (this.queue.current?.id === id) this.#abort?.abort(new Error(why));
      },
    };
  };

  get closing(): boolean {
    return this.#closing;
  }

  async #run(
    mode: RunMode,
    prompt: string,
    from: string,
    onEvent?: (e: LoopEvent) => void,
    cancel?: AbortSignal,
  ): Promise<RunResult> {
    const steer = new SteerQueue();
    const abort = new AbortController();
    // The caller went away (a chat client closed its stream): the run stops as if cancelled.
    cancel?.addEventListener("abort", () => abort.abort(), { once: true });
    this.#steer = steer;
    this.#abort = abort;
    try {
      const turn = await runTurn(this.#turn, {
        mode,
        prompt,
        from,
        steer,
        signal: abort.signal,
        ...(onEvent ? { onEvent } : {}),
      });
      // Messages that arrived after the last step boundary were never seen: they become the next turn.
      if (turn.leftover.length > 0 && !this.#closing) this.#enqueueChat(turn.leftover.join("\n\n"), from);
      return turn.result;
    } finally {
      this.#steer = undefined;
      this.#abort = undefined;
    }
  }

  #enqueueChat(
    message: string | (() => string),
    from: string,
    onEvent?: (e: LoopEvent) => void,
    onDrop?: () => void,
    cancel?: AbortSignal,
  ): Promise<ChatOutcome> {
    if (this.#closing) return Promise.reject(AgentErrors.shuttingDown());
    return new Promise((resolve, reject) => {
      const ok = this.queue.push({
        kind: "chat",
        id: randomUUID(),
        from,
        start: async () => {
          try {
            if (cancel?.aborted) throw AgentErrors.cancelled("the client went away");
            const text = typeof message === "function" ? message() : message;
            const r = await this.#run("chat", text, from, onEvent, cancel);
            resolve(
              r.error
                ? { reply: r.reply, status: r.status, error: r.error }
                : { reply: r.reply, status: r.status },
            );
          } catch (err) {
            reject(err);
          }
        },
        cancel: (why) => {
          onDrop?.();
          reject(AgentErrors.cancelled(why));
        },
      });
      if (!ok) {
        onDrop?.();
        reject(AgentErrors.queueFull(this.queue.cap));
      }
    });
  }

  /**
   * A chat turn (mesh lanes: followup and collect queue a turn; steer injects into a running turn).
   * `cancel` aborts the turn (or skips it while queued): the streaming client closed the connection.
   */
  chat(
    message: string,
    from: string,
    lane: "followup" | "steer" | "collect",
    onEvent?: (e: LoopEvent) => void,
    cancel?: AbortSignal,
  ): Promise<ChatOutcome> {
    if (lane === "steer" && this.#steer) {
      this.#steer.push(message);
      return Promise.resolve({ reply: "", status: "completed" });
    }
    return this.#enqueueChat(message, from, onEvent, undefined, cancel);
  }

  /** Injects a message into the running run at its next step boundary; false when nothing runs. */
  steer(message: string): boolean {
    if (!this.#steer) return false;
    this.#steer.push(message);
    return true;
  }

  /** Queues a task; a repeated Idempotency-Key returns the task it created (same body) or a conflict. */
  dispatchTask(prompt: string, from: string, idempotencyKey?: string): { task: TaskRow; created: boolean } {
    if (this.#closing) throw AgentErrors.shuttingDown();
    const requestHash = createHash("sha256").update(prompt).digest("hex");
    const store = this.#d.store;
    if (idempotencyKey !== undefined) {
      const existing = store.taskByIdempotencyKey(idempotencyKey);
      if (existing) {
        if (existing.request_hash !== requestHash) throw AgentErrors.idempotencyConflict(idempotencyKey);
        return { task: existing, created: false };
      }
    }
    if (this.queue.length >= this.queue.cap) throw AgentErrors.queueFull(this.queue.cap);
    const id = randomUUID();
    const task = store.createTask({
      id,
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
      prompt,
      sender: from,
    });
    this.queue.push({
      kind: "task",
      id,
      from,
      start: async () => {
        store.setTaskStatus(id, "running");
        const r = await this.#run("task", prompt, from).catch(failedResult);
        store.finishTask(id, r);
      },
      cancel: (why) => store.finishTask(id, cancelledResult(why)),
    });
    return { task, created: true };
  }

  task(id: string): TaskRow | undefined {
    return this.#d.store.task(id);
  }

  /** Cancels the current run and queued chat turns, then clears the conversation. */
  async reset(): Promise<{ cleared: number }> {
    for (const run of this.queue.clear()) run.cancel("reset by the operator");
    this.#abort?.abort(new Error("reset by the operator"));
    await this.queue.idle();
    this.#d.memory?.reset(CHAT_CONVERSATION);
    return { cleared: this.#d.store.clearConversation(CHAT_CONVERSATION) };
  }

  /** Mesh deliveries: each id handled once; the text is queued as a chat turn (or steers a running one). */
  deliver(messages: readonly InboxMessage[]): { accepted: number; duplicates: number } {
    let accepted = 0;
    let duplicates = 0;
    for (const m of messages) {
      if (!this.#d.store.markInboxSeen(m.id)) {
        duplicates++;
        continue;
      }
      accepted++;
      const wf = m.from === "mesh" ? workflowPayload(m.payload) : undefined;
      if (wf) {
        this.workflow.handle(wf, m.from);
        continue;
      }
      const scheduled = scheduledOf(m);
      if (scheduled?.tool) {
        this.#toolJob(scheduled.schedule, scheduled.tool);
        continue;
      }
      const text = renderInbox(m);
      if (m.lane === "steer" && this.steer(text)) continue;
      if (m.lane === "collect" && this.#collect.add(text)) continue;
      const batch = m.lane === "collect" ? this.#collect.open(text) : undefined;
      this.#enqueueChat(batch ? batch.take : text, m.from, undefined, batch?.drop).then(
        (out) =>
          scheduled &&
          this.#reportOutcome(scheduled.schedule, {
            ok: out.error === undefined,
            reply: out.reply,
            error: out.error?.message,
          }),
        (err: unknown) => {
          this.#d.log.warn({ err, message: m.id }, "inbox message not run");
          if (scheduled)
            this.#reportOutcome(scheduled.schedule, { ok: false, reply: "", error: errorText(err) });
        },
      );
    }
    return { accepted, duplicates };
  }

  /** A schedule's tool job: the tool runs in the queue with its parameters, the model is not called. */
  #toolJob(schedule: string | null, job: ToolJob): void {
    const abort = new AbortController();
    const { manifest, dataRoot, log, mesh, proxy, spawner } = this.#d;
    const ok = this.queue.push({
      kind: "task",
      id: randomUUID(),
      from: "mesh",
      start: async () => {
        const ctx = {
          agentId: manifest.id,
          dataRoot,
          log,
          mesh,
          proxy,
          spawner,
          depth: 0,
          signal: abort.signal,
        };
        const out = await this.#d.registry
          .current()
          .execute(job.name, job.params, ctx)
          .catch((err: unknown) => ({ ok: false, text: errorText(err) }));
        this.#reportOutcome(schedule, {
          ok: out.ok,
          reply: out.text,
          error: out.ok ? undefined : out.text,
        });
      },
      cancel: (why) => {
        abort.abort(new Error(why));
        this.#reportOutcome(schedule, { ok: false, reply: "", error: why });
      },
    });
    if (!ok) this.#reportOutcome(schedule, { ok: false, reply: "", error: "the agent's run queue is full" });
  }

  /** Tells the mesh how a scheduled run or heartbeat wake went (best effort: logged when it fails). */
  #reportOutcome(
    schedule: string | null,
    o: { ok: boolean; reply: string; error?: string | undefined },
  ): void {
    const body = {
      ...(schedule ? { schedule } : {}),
      ok: o.ok,
      reply: o.reply.slice(0, 2000),
      ...(o.error !== undefined ? { error: o.error.slice(0, 500) } : {}),
    };
    this.#d.mesh
      .call(MeshRoutes.runOutcome, { body })
      .catch((err: unknown) => this.#d.log.warn({ err, schedule }, "schedule outcome not reported"));
  }

  status() {
    const cur = this.queue.current;
    return {
      id: this.#d.manifest.id,
      role: this.#d.manifest.role,
      model: this.#d.manifest.model,
      fallback_models: this.#d.manifest.fallback_models,
      state: this.#closing ? ("stopping" as const) : cur ? ("running" as const) : ("idle" as const),
      current: cur
        ? { kind: cur.kind, id: cur.id, from: cur.from, running_ms: this.#now() - cur.startedAt }
        : null,
      queue_length: this.queue.length,
      steer_pending: this.#steer?.length ?? 0,
      sub_agents: this.#d.spawner.active,
      conversation_messages: this.#d.store.messageCount(CHAT_CONVERSATION),
      uptime_s: Math.floor((this.#now() - this.#startedAt) / 1000),
      tools: this.#d.registry.current().names,
      ...this.#providerStatus(),
    };
  }

  /** MCP servers (and any provider that reports status) under `providers`, when there are any. */
  #providerStatus(): { providers?: Record<string, unknown> } {
    const providers = this.#d.registry.status?.() ?? {};
    return Object.keys(providers).length > 0 ? { providers } : {};
  }

  /** Stop taking work, cancel what is queued, let the current step end (its messages are saved). */
  async shutdown(graceMs: number): Promise<void> {
    this.#closing = true;
    this.workflow.close();
    for (const run of this.queue.clear()) run.cancel("the agent is shutting down");
    const timer = setTimeout(() => this.#abort?.abort(new Error("the agent is shutting down")), graceMs);
    await this.queue.idle();
    clearTimeout(timer);
  }
}
