import type { CommandModule } from "../io.js";

export const agentCommand: CommandModule = {
  register(program, io) {
    const agent = program.command("agent").description("add, list or remove agents");
    agent
      .command("add")
      .description("add an agent to agents.yaml with least-privilege permissions")
      .argument(
        "[name]",
        "agent id: lowercase letters, digits and dashes, starting with a letter (asked on a terminal)",
      )
      .option("--role <role>", 'short role, e.g. "Support triage" (default: assistant; asked on a terminal)')
      .option("--model <provider/model>", "model of the agent (default: llm.default_model of mesh.yaml)")
      .option("--dir <dir>", "fleet directory", ".")
      .action(async (name: string | undefined, opts: { role?: string; model?: string; dir: string }) => {
        const { runAgentAdd } = await import("../../edit/agent-add.js");
        await runAgentAdd(name, opts, io);
      });
    agent
      .command("list")
      .description("list the agents: id, role, model, budget")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--json", "machine-readable list")
      .action(async (opts: { dir: string; json?: boolean }) => {
        const { runAgentList } = await import("../../edit/agent-list.js");
        await runAgentList(opts, io);
      });
    agent
      .command("remove")
      .description(
        "remove an agent, its grants (other agents' can_message too), its token and its data volume",
      )
      .argument("<name>", "agent id")
      .option("-y, --yes", "do not ask for confirmation (needed without a terminal)")
      .option("--force", "remove even if a workflow, schedule, webhook, channel or watcher still uses it")
      .option("--keep-data", "keep the agent's /data volume (default: deleted, after confirmation)")
      .option("--dir <dir>", "fleet directory", ".")
      .action(
        async (name: string, opts: { yes?: boolean; force?: boolean; keepData?: boolean; dir: string }) => {
          const { runAgentRemove } = await import("../../edit/agent-remove.js");
          await runAgentRemove(name, opts, io);
        },
      );
  },
};
