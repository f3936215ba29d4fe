import { assembleSystemPrompt } from "../../core/prompt.js";
import type { Workspace } from "../../state/workspace.js";
import type { Tool } from "../../tools/types.js";

export interface PromptIdentity {
  agentId: string;
  role: string;
  project: string;
  systemPrompt: string;
}

type WorkspaceFiles = Awaited<ReturnType<Workspace["readAll"]>>;

/**
 * Turn step 1: the system prompt. The same file texts and tool names give the same string object
 * (the stable prefix the provider's prompt cache keys on), so it is assembled only when one changed.
 */
export class SystemPromptCache {
  #last: { key: (string | undefined)[]; text: string } | undefined;

  constructor(readonly identity: PromptIdentity) {}

  build(files: WorkspaceFiles, tools: readonly Tool[]): string {
    const key = [
      files.workspace.agents,
      files.workspace.soul,
      files.workspace.user,
      files.workspace.memory,
      files.learnings.errors,
      files.learnings.corrections,
      tools.map((t) => t.name).join(","),
    ];
    if (this.#last?.key.every((t, i) => t === key[i])) return this.#last.text;
    const text = assembleSystemPrompt({ ...this.identity, ...files, tools });
    this.#last = { key, text };
    return text;
  }
}
