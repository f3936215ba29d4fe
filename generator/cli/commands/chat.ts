import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const chatCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("chat")
      .description("chat with a running agent")
      .argument("<agent>", "agent id")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .action(() => notYetAvailable(io, setExit, "chat"));
  },
};
