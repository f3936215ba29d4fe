/** One REPL input line, parsed (pure; tests/unit/repl/parse.test.ts). */
export type ReplCommand =
  | { kind: "empty" }
  | { kind: "chat"; agent: string | undefined; text: string }
  | { kind: "use"; agent: string }
  | { kind: "agents" }
  | { kind: "add"; name: string | undefined }
  | { kind: "status" }
  | { kind: "broadcast"; text: string }
  | { kind: "costs" }
  | { kind: "reset"; agent: string | undefined }
  | { kind: "quit" }
  | { kind: "help" }
  | { kind: "error"; message: string };

const AGENT_ID = /^[a-z][a-z0-9-]{0,30}$/;
/** Longest line the REPL accepts (the mesh takes 100 000 characters per chat message). */
export const MAX_LINE = 100_000;

export const HELP = `commands:
  @agent <message>    send a message to one agent (it becomes the active agent)
  <message>           send to the active agent
  /use <agent>        switch the active agent
  /agents             list the agents and their health
  /add [name]         add an agent and hot-start it (others keep running)
  /status             service health, queues and today's spend
  /broadcast <msg>    send a message to every agent
  /costs              LLM spend by agent and model
  /reset [agent]      clear the conversation with the active (or named) agent
  /help               this list
  /quit               leave (asks whether to stop the fleet)
Ctrl-C cancels a reply in progress; Ctrl-D or /quit leaves.
`;

const COMMANDS = ["use", "agents", "add", "status", "broadcast", "costs", "reset", "quit", "exit", "help"];

export function parseLine(raw: string): ReplCommand {
  const line = raw.trim();
  if (line === "") return { kind: "empty" };
  if (line.length > MAX_LINE) return { kind: "error", message: `message longer than ${MAX_LINE} characters` };
  if (line.startsWith("@")) {
    const m = /^@(\S+)\s*([\s\S]*)$/.exec(line);
    const agent = m?.[1] ?? "";
    if (!AGENT_ID.test(agent))
      return { kind: "error", message: `"@${agent}" is not an agent id (lowercase letters, digits, dashes)` };
    const text = (m?.[2] ?? "").trim();
    if (text === "") return { kind: "use", agent };
    return { kind: "chat", agent, text };
  }
  if (!line.startsWith("/")) return { kind: "chat", agent: undefined, text: line };
  const m = /^\/(\S+)\s*([\s\S]*)$/.exec(line);
  const name = (m?.[1] ?? "").toLowerCase();
  const arg = (m?.[2] ?? "").trim();
  const needAgent = (agent: string): ReplCommand | undefined =>
    AGENT_ID.test(agent) ? undefined : { kind: "error", message: `"${agent}" is not an agent id` };
  switch (name) {
    case "use":
      if (!arg) return { kind: "error", message: "usage: /use <agent>" };
      return needAgent(arg) ?? { kind: "use", agent: arg };
    case "agents":
      return { kind: "agents" };
    case "add":
      if (arg) return needAgent(arg) ?? { kind: "add", name: arg };
      return { kind: "add", name: undefined };
    case "status":
      return { kind: "status" };
    case "broadcast":
      if (!arg) return { kind: "error", message: "usage: /broadcast <message>" };
      return { kind: "broadcast", text: arg };
    case "costs":
      return { kind: "costs" };
    case "reset":
      if (arg) return needAgent(arg) ?? { kind: "reset", agent: arg };
      return { kind: "reset", agent: undefined };
    case "quit":
    case "exit":
      return { kind: "quit" };
    case "help":
    case "?":
      return { kind: "help" };
    default: {
      const near = COMMANDS.find((c) => c.startsWith(name.slice(0, 2)));
      return {
        kind: "error",
        message: `unknown command /${name}${near ? ` (did you mean /${near}?)` : ""}; /help lists them`,
      };
    }
  }
}

/** Tab completion: commands after "/", agent ids after "@" and "/use ". */
export function complete(line: string, agents: readonly string[]): [string[], string] {
  if (line.startsWith("@") && !line.includes(" ")) {
    const hits = agents.map((a) => `@${a} `).filter((a) => a.startsWith(line));
    return [hits, line];
  }
  const use = /^\/(use|reset) (\S*)$/.exec(line);
  if (use) {
    const hits = agents.filter((a) => a.startsWith(use[2] ?? "")).map((a) => `/${use[1]} ${a}`);
    return [hits, line];
  }
  if (line.startsWith("/") && !line.includes(" ")) {
    const hits = COMMANDS.map((c) => `/${c}`).filter((c) => c.startsWith(line));
    return [hits, line];
  }
  return [[], line];
}
