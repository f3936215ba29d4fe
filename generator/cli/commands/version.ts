import type { CommandModule } from "../io.js";

export const versionCommand: CommandModule = {
  register(program, io) {
    program
      .command("version")
      .description("print the OpenLegion version")
      .option("--json", "machine-readable version")
      .action(async (opts: { json?: boolean }) => {
        const { packageVersion } = await import("../../init/package-root.js");
        const version = packageVersion();
        io.stdout(opts.json ? `${JSON.stringify({ version })}\n` : `${version}\n`);
      });
  },
};
