import { join } from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { ToolErrors } from "../tools/errors.js";
import type { ProviderContext, ToolProvider } from "../tools/provider.js";
import { defineTool, type Tool } from "../tools/types.js";
import { capabilitiesFor } from "./capabilities.js";
import { createSkillTool } from "./create-skill.js";
import { type LoadedSkill, loadSkills, type SkippedSkill } from "./load.js";
import { SKILL_LIMITS, SKILL_TOOL_PREFIX } from "./manifest.js";
import { runSkill, SkillSandboxError } from "./sandbox.js";

/** The agent's own skills, under the data root; create_skill writes here. */
export const AGENT_SKILLS_DIR = "skills";
const anyArgs = z.record(z.string(), z.unknown());

/** One loaded skill as a tool: every call runs in a fresh isolate (sandbox.ts). */
function skillTool(skill: LoadedSkill): Tool {
  const name = `${SKILL_TOOL_PREFIX}${skill.manifest.name}`;
  const timeoutMs = skill.manifest.timeout_ms ?? SKILL_LIMITS.timeoutMs;
  return defineTool({
    name,
    description: `${skill.manifest.description} (custom skill, ${skill.file})`,
    input: anyArgs,
    jsonSchema: skill.manifest.input_schema,
    async run(args, ctx) {
      const caps = await capabilitiesFor(skill.manifest.name, ctx);
      try {
        return await runSkill(skill.code, skill.file, args, caps, { timeoutMs, signal: ctx.signal });
      } catch (err) {
        if (!(err instanceof SkillSandboxError)) throw err;
        ctx.log.warn({ skill: skill.manifest.name, kind: err.failure.kind }, "skill call stopped");
        if (err.failure.kind === "timeout") throw ToolErrors.skillTimeout(name, timeoutMs);
        throw ToolErrors.skillFailed(name, err.failure.message);
      }
    },
  });
}

/**
 * Skills as a tool provider: the operator's `skills_dir` (read-only mount) and the agent's
 * /data/skills, loaded at start and again on reload_skills (the next turn sees the new list; no
 * restart). Also offers create_skill, list_custom_skills and reload_skills.
 */
export class SkillsProvider implements ToolProvider {
  readonly id = "skills";
  #dirs: { dir: string; origin: "operator" | "agent"; within?: string }[] = [];
  #log: Logger | undefined;
  #loaded: LoadedSkill[] = [];
  #skipped: SkippedSkill[] = [];
  #tools: readonly Tool[] = [];
  readonly #own: readonly Tool[];

  constructor() {
    this.#own = [
      createSkillTool({
        dir: () => this.#dirs.find((d) => d.origin === "agent")?.dir ?? "",
        operatorNames: () =>
          new Set(this.#loaded.filter((s) => s.origin === "operator").map((s) => s.manifest.name)),
      }),
      defineTool({
        name: "list_custom_skills",
        description:
          "List the custom skills: loaded ones (tool names skill_<name>) and skipped ones with the reason.",
        input: z.strictObject({}),
        run: async () => this.#report(),
      }),
      defineTool({
        name: "reload_skills",
        description:
          "Load the skills again from skills_dir and /data/skills (after create_skill or an edit). The new tools are offered from your next turn; a broken skill is skipped and reported.",
        input: z.strictObject({}),
        run: async () => {
          await this.reload();
          return this.#report();
        },
      }),
    ];
    this.#tools = this.#own;
  }

  async start(ctx: ProviderContext): Promise<void> {
    this.#log = ctx.log;
    const operator = ctx.manifest.skills_dir;
    this.#dirs = [
      ...(operator ? [{ dir: operator, origin: "operator" as const }] : []),
      { dir: join(ctx.dataRoot, AGENT_SKILLS_DIR), origin: "agent" as const, within: ctx.dataRoot },
    ];
    await this.reload();
  }

  async reload(): Promise<void> {
    const { skills, skipped } = await loadSkills(this.#dirs);
    for (const s of skipped) this.#log?.warn({ file: s.file, err: s.error }, "skill skipped");
    this.#loaded = skills;
    this.#skipped = skipped;
    this.#tools = [...this.#own, ...skills.map(skillTool)];
  }

  tools(): readonly Tool[] {
    return this.#tools;
  }

  #report() {
    return {
      loaded: this.#loaded.map((s) => ({
        tool: `${SKILL_TOOL_PREFIX}${s.manifest.name}`,
        file: s.file,
        origin: s.origin,
        description: s.manifest.description,
      })),
      skipped: this.#skipped,
    };
  }

  status() {
    return { loaded: this.#loaded.map((s) => s.manifest.name), skipped: this.#skipped };
  }
}
