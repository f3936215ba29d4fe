import { createHash, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import type { AgentManifest } from "../../common/contracts/agent-manifest.js";
import type { InboxMessage } from "../../common/contracts/mesh-api.js";
import { turnToPersist } from "../core/failed-turn.js";
import { DEFAULT_LIMITS, type RunLimits, type RunMode } from "../core/limits.js";
import { assembleSystemPrompt } from "../core/prompt.js";
import { AgentErrors } from "../errors.js";
import { type LoopEvent, type RunResult, runLoop } from "../loop/run.js";
import type { Spawner } from "../loop/spawner.js";
import { SteerQueue } from "../loop/steer-queue.js";
import type { StepDeps } from "../loop/step.js";
import { storeTranscript } from "../memory/agent-memory.js";
import type { ConversationMemory } from "../memory/context/conversation.js";
import { isContextOverflow } from "../memory/context/plan.js";
import { type AgentStore, CHAT_CONVERSATION, type TaskRow } from "../state/agent-store.js";
import { WorkflowRepo } from "../state/workflow-repo.js";
import type { Workspace } from "../state/workspace.js";
import type { MeshClient } from "../tools/mesh/client.js";
import type { ToolRegistry } from "../tools/registry.js";
import { CollectBatch } from "./collect.js";
import { RunQueue } from "./run-queue.js";
import { cancelledResult, failedResult, renderInbox } from "./run-results.js";
import { type TaskRunner, WorkflowTasks, workflowPayload } from "./workflow-tasks.js";

export const QUEUE_CAP = 50;

export interface RuntimeDeps {
  manifest: AgentManifest;
  systemPrompt: string;
  project: string;
  dataRoot: string;
  store: AgentStore;
  workspace: Workspace;
  registry: ToolRegistry;
  spawner: Spawner;
  mesh: MeshClient;
  proxy: Dispatcher;
  step: StepDeps;
  log: Logger;
  /** Layer 5 (services/agent/memory): summary/brief in the prompt, flush and compaction after turns. */
  memory?: ConversationMemory;
  limits?: RunLimits;
  queueCap?: number;
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
  readonly #startedAt = Date.now();

  constructor(deps: RuntimeDeps) {
    this.#d = deps;
    this.queue = new RunQueue(deps.queueCap ?? QUEUE_CAP);
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

  /** The last assembled prompt and the file texts it was built from (same texts → same prompt). */
  #prompt: { files: (string | undefined)[]; text: string } | undefined;

  async #systemPrompt(): Promise<string> {
    const files = await this.#d.workspace.readAll();
    const texts = [
      files.workspace.agents,
      files.workspace.soul,
      files.workspace.user,
      files.workspace.memory,
      files.learnings.errors,
      files.learnings.corrections,
    ];
    if (this.#prompt?.files.every((t, i) => t === texts[i])) return this.#prompt.text;
    const text = assembleSystemPrompt({
      agentId: this.#d.manifest.id,
      role: this.#d.manifest.role,
      project: this.#d.project,
      systemPrompt: this.#d.systemPrompt,
      ...files,
      tools: this.#d.registry.list(),
    });
    this.#prompt = { files: texts, text };
    return text;
  }

  async #run(
    mode: RunMode,
    prompt: string,
    from: string,
    onEvent?: (e: LoopEvent) => void,
  ): Promise<RunResult> {
    const steer = new SteerQueue();
    const abort = new AbortController();
    this.#steer = steer;
    this.#abort = abort;
    const d = this.#d;
    try {
      const transcript = storeTranscript(d.store, CHAT_CONVERSATION);
      const context = async () => {
        const system = await this.#systemPrompt();
        if (!d.memory) return { system, history: mode === "chat" ? d.store.history(CHAT_CONVERSATION) : [] };
        const none = { count: () => 0, tail: () => [] };
        const p = await d.memory.prepare(mode, mode === "chat" ? transcript : none, prompt, abort.signal);
        return { system: p.systemSuffix ? `${system}\n\n${p.systemSuffix}` : system, history: p.history };
      };
      let ctx = await context();
      const loop = () =>
        runLoop({
          mode,
          system: ctx.system,
          history: ctx.history,
          prompt,
          registry: d.registry,
          toolCtx: {
            agentId: d.manifest.id,
            dataRoot: d.dataRoot,
            log: d.log,
            mesh: d.mesh,
            proxy: d.proxy,
            spawner: d.spawner,
            depth: 0,
          },
          step: d.step,
          signal: abort.signal,
          steer,
          limits: d.limits ?? DEFAULT_LIMITS,
          maxOutputTokens: d.manifest.max_tokens,
          temperature: d.manifest.temperature,
          onEvent,
          onToolFailure: (tool, text) => {
            d.workspace
              .recordToolError(tool, text)
              .catch((err: unknown) => d.log.warn({ err }, "could not record a tool error"));
          },
        });
      let result = await loop();
      // The provider refused the context as too long: write-then-compact, then retry once.
      if (mode === "chat" && d.memory && result.status === "failed" && isContextOverflow(result.error)) {
        const compacted = await d.memory
          .compactNow(CHAT_CONVERSATION, transcript, abort.signal)
          .catch((err: unknown) => d.log.warn({ err }, "compaction after a context overflow failed"));
        if (compacted) {
          ctx = await context();
          result = await loop();
        }
      }
      // Messages that arrived after the last step boundary were never seen: they become the next turn.
      const leftover = steer.drain();
      if (mode === "chat") {
        d.store.appendMessages(CHAT_CONVERSATION, turnToPersist(result.status, result.added));
        await d.memory
          ?.afterTurn(CHAT_CONVERSATION, transcript, { system: ctx.system, signal: abort.signal })
          .catch((err: unknown) => d.log.warn({ err }, "context flush/compaction failed"));
      }
      d.log.info(
        {
          mode,
          from,
          status: result.status,
          calls: result.calls,
          tools: result.toolCalls,
          models: result.models,
        },
        "run finished",
      );
      await d.workspace
        .logTurn({
          kind: mode,
          from,
          input: prompt,
          reply: result.reply || result.error?.message || "",
          status: result.status,
        })
        .catch((err: unknown) => d.log.warn({ err }, "could not append to the daily log"));
      if (leftover.length > 0 && !this.#closing) this.#enqueueChat(leftover.join("\n\n"), from);
      return result;
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
  ): Promise<ChatOutcome> {
    if (this.#closing) return Promise.reject(AgentErrors.shuttingDown());
    return new Promise((resolve, reject) => {
      const ok = this.queue.push({
        kind: "chat",
        id: randomUUID(),
        from,
        start: async () => {
          try {
            const text = typeof message === "function" ? message() : message;
            const r = await this.#run("chat", text, from, onEvent);
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

  /** A chat turn (mesh lanes: followup and collect queue a turn; steer injects into a running turn). */
  chat(
    message: string,
    from: string,
    lane: "followup" | "steer" | "collect",
    onEvent?: (e: LoopEvent) => void,
  ): Promise<ChatOutcome> {
    if (lane === "steer" && this.#steer) {
      this.#steer.push(message);
      return Promise.resolve({ reply: "", status: "completed" });
    }
    return this.#enqueueChat(message, from, onEvent);
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
      const text = renderInbox(m);
      if (m.lane === "steer" && this.steer(text)) continue;
      if (m.lane === "collect" && this.#collect.add(text)) continue;
      const batch = m.lane === "collect" ? this.#collect.open(text) : undefined;
      this.#enqueueChat(batch ? batch.take : text, m.from, undefined, batch?.drop).catch((err: unknown) =>
        this.#d.log.warn({ err, message: m.id }, "inbox message not run"),
      );
    }
    return { accepted, duplicates };
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
        ? { kind: cur.kind, id: cur.id, from: cur.from, running_ms: Date.now() - cur.startedAt }
        : null,
      queue_length: this.queue.length,
      steer_pending: this.#steer?.length ?? 0,
      sub_agents: this.#d.spawner.active,
      conversation_messages: this.#d.store.messageCount(CHAT_CONVERSATION),
      uptime_s: Math.floor((Date.now() - this.#startedAt) / 1000),
      tools: this.#d.registry.names,
    };
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
