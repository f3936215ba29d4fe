import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

const CHANNELS = "telegram|discord|slack|whatsapp";

export const channelsCommand: CommandModule = {
  register(program, io, setExit) {
    const channels = program.command("channels").description("add, list or remove chat channels");
    channels
      .command("add")
      .description("connect a messaging channel (prompts for its token)")
      .argument("[channel]", CHANNELS)
      .option("--dir <dir>", "fleet directory", ".")
      .option("--agent <agent>", "agent that answers unaddressed messages")
      .option("--token-env <name>", "read the token from this environment variable instead of prompting")
      .action(() => notYetAvailable(io, setExit, "channels add"));
    channels
      .command("list")
      .description("show configured channels")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--json", "machine-readable list")
      .action(() => notYetAvailable(io, setExit, "channels list"));
    channels
      .command("remove")
      .description("disconnect a channel")
      .argument("<channel>", CHANNELS)
      .option("--dir <dir>", "fleet directory", ".")
      .option("-y, --yes", "do not ask for confirmation")
      .action(() => notYetAvailable(io, setExit, "channels remove"));
  },
};
