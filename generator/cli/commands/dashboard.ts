import { resolve } from "node:path";
import { z } from "zod";
import { DashboardRoutes } from "../../../services/common/contracts/dashboard-routes.js";
import { type CliIo, type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

const flagsSchema = z.strictObject({
  port: z.coerce.number().int().min(1).max(65535).optional(),
  open: z.boolean().default(true),
  json: z.boolean().default(false),
});

/** The platform's "open this URL" command, detached; failures are reported, not thrown. */
async function openInBrowser(url: string): Promise<void> {
  const { spawn } = await import("node:child_process");
  const [cmd, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  await new Promise<void>((done, fail) => {
    const child = spawn(cmd, args, { detached: true, stdio: "ignore" });
    child.once("error", fail);
    child.once("spawn", () => {
      child.unref();
      done();
    });
  });
}

/**
 * `openlegion dashboard`: asks the mesh for a one-time login code (valid two minutes, spent on first
 * use) and prints the dashboard URL with the code in the fragment, which the browser never sends to
 * any server; the page trades it for a session cookie. The operator token itself is never printed.
 */
export async function runDashboard(
  dir: string,
  flags: z.output<typeof flagsSchema>,
  io: CliIo & { openUrl?: (url: string) => Promise<void> },
): Promise<void> {
  const [{ meshTarget }, { MeshClient }] = await Promise.all([
    import("../../client/target.js"),
    import("../../client/mesh-client.js"),
  ]);
  const client = new MeshClient(await meshTarget(resolve(io.cwd, dir), flags.port));
  const { code, expires_at } = await client.api.call(DashboardRoutes.loginCode, {});
  const url = `${client.target.url.replace(/\/+$/, "")}${DashboardRoutes.dashboardPage.path}#code=${code}`;
  if (flags.json) {
    io.stdout(`${JSON.stringify({ url, expires_at })}\n`);
    return;
  }
  io.stdout(
    `Dashboard: ${url}\n(one-time login link, valid until ${new Date(expires_at).toLocaleTimeString()})\n`,
  );
  if (!flags.open) return;
  try {
    await (io.openUrl ?? openInBrowser)(url);
  } catch (error) {
    io.stderr(
      `could not open a browser (${error instanceof Error ? error.message : String(error)}): open the link above\n`,
    );
  }
}

export const dashboardCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("dashboard")
      .description("open the fleet dashboard in a browser, logged in by a one-time link")
      .argument("[dir]", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--no-open", "print the link without opening a browser")
      .option("--json", "print {url, expires_at}")
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`dashboard: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        await runDashboard(dir, parsed.data, io);
        setExit(EXIT_OK);
      });
  },
};
