import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const buildCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("build")
      .description("build the agent, mesh and proxy images locally")
      .argument("[dir]", "fleet directory", ".")
      .option("--node-image <image>", "base Node.js image to build from")
      .option("--extra-ca-certs <file>", "PEM bundle to trust during image builds")
      .action(() => notYetAvailable(io, setExit, "build"));
  },
};
