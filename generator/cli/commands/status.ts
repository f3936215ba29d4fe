import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const statusCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("status")
      .description("show health, activity and spend per agent")
      .argument("[dir]", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable status")
      .action(() => notYetAvailable(io, setExit, "status"));
  },
};
