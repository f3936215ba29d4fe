import { resolve } from "node:path";
import { z } from "zod";
import { type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

const flagsSchema = z.strictObject({
  period: z.enum(["today", "month", "all"]).default("today"),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  json: z.boolean().default(false),
});

export const costsCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("costs")
      .description("show LLM spend by agent and model (today and this month) against budgets")
      .argument("[dir]", "fleet directory", ".")
      .option("--period <period>", "today, month or all (the report always carries today and month)", "today")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable costs")
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`costs: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const [{ meshTarget }, { MeshClient }, { formatCosts }] = await Promise.all([
          import("../../client/target.js"),
          import("../../client/mesh-client.js"),
          import("../../docker/status.js"),
        ]);
        const client = new MeshClient(await meshTarget(resolve(io.cwd, dir), parsed.data.port));
        const report = await client.costs(parsed.data.period);
        io.stdout(parsed.data.json ? `${JSON.stringify(report, null, 2)}\n` : formatCosts(report));
        setExit(EXIT_OK);
      });
  },
};
