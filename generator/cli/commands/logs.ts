import type { CommandModule } from "../io.js";
import { notYetAvailable } from "./unavailable.js";

export const logsCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("logs")
      .description("show logs of the fleet or of one service")
      .argument("[service]", "agent id, mesh or egress-proxy (default: all)")
      .option("--dir <dir>", "fleet directory", ".")
      .option("-f, --follow", "keep streaming new lines")
      .option("-n, --tail <lines>", "lines from the end of each log", "100")
      .action(() => notYetAvailable(io, setExit, "logs"));
  },
};
