import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const upCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("up")
      .alias("start")
      .description("start the fleet and open the chat REPL")
      .argument("[dir]", "fleet directory", ".")
      .option("-d, --detach", "start in the background, without the REPL")
      .action(() => notYetAvailable(io, setExit, "up"));
  },
};
