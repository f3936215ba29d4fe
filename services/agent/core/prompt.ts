/**
 * System prompt assembly in a fixed order, so the prefix stays byte-identical between calls and the
 * provider's prompt cache hits (research/agent.md §2.4): PROJECT.md, the agent's system prompt, the
 * workspace files, learnings, then the tool list sorted by name. Missing or empty parts are skipped;
 * every part is capped so one bloated file cannot crowd out the rest.
 */
export interface PromptParts {
  agentId: string;
  role: string;
  project?: string;
  systemPrompt?: string;
  workspace: { agents?: string; soul?: string; user?: string; memory?: string };
  learnings: { errors?: string; corrections?: string };
  tools: readonly { name: string; description: string }[];
}

export const PART_MAX_CHARS = 16_000;
/** What AGENTS.md, SOUL.md, USER.md and MEMORY.md may add together; later files are cut first. */
export const WORKSPACE_MAX_CHARS = 40_000;
/** Learnings grow forever; only their most recent part is shown. */
export const LEARNINGS_MAX_CHARS = 4_000;

const head = (text: string, max: number): string =>
  text.length <= max
    ? text
    : `${text.slice(0, max)}\n[… truncated: ${text.length - max} more characters in the file]`;
const tail = (text: string, max: number): string =>
  text.length <= max
    ? text
    : `[… ${text.length - max} older characters omitted]\n${text.slice(text.length - max)}`;

function section(title: string, body: string | undefined, cap: (t: string) => string): string | undefined {
  const text = body?.trim();
  if (!text) return undefined;
  return `## ${title}\n\n${cap(text)}`;
}

export function assembleSystemPrompt(parts: PromptParts): string {
  const capHead = (t: string) => head(t, PART_MAX_CHARS);
  let budget = WORKSPACE_MAX_CHARS;
  const capWorkspace = (t: string) => {
    const max = Math.min(PART_MAX_CHARS, budget);
    budget = Math.max(0, budget - Math.min(t.length, max));
    if (t.length <= max || max === PART_MAX_CHARS) return head(t, max);
    return `${t.slice(0, max)}\n[… truncated: the workspace files' share of this prompt (${WORKSPACE_MAX_CHARS} characters) is used up; ${t.length - max} more characters in the file, read it with read_file]`;
  };
  const capTail = (t: string) => tail(t, LEARNINGS_MAX_CHARS);
  const tools = [...parts.tools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sections = [
    `# Agent ${parts.agentId}\n\nYour id is "${parts.agentId}" and your role is: ${parts.role}. Your working directory is /data; files outside it are not reachable.`,
    section("Project (PROJECT.md)", parts.project, capHead),
    section("Instructions", parts.systemPrompt, capHead),
    section("AGENTS.md", parts.workspace.agents, capWorkspace),
    section("SOUL.md", parts.workspace.soul, capWorkspace),
    section("USER.md", parts.workspace.user, capWorkspace),
    section("MEMORY.md", parts.workspace.memory, capWorkspace),
    section("Learnings: past tool errors (learnings/errors.md)", parts.learnings.errors, capTail),
    section("Learnings: user corrections (learnings/corrections.md)", parts.learnings.corrections, capTail),
    tools.length === 0
      ? undefined
      : `## Tools\n\n${tools.map((t) => `- ${t.name}: ${t.description.split("\n")[0] ?? ""}`).join("\n")}`,
  ];
  return sections.filter((s): s is string => s !== undefined).join("\n\n");
}
