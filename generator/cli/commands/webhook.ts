import { resolve } from "node:path";
import { z } from "zod";
import { MeshRoutes } from "../../../services/common/contracts/mesh-routes.js";
import { webhookSecret } from "../../../services/common/tokens.js";
import { formatTable } from "../../docker/table.js";
import type { WebhookAddOptions } from "../../edit/webhook-edit.js";
import { type CliIo, type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";
import { masterKey, operatorApi } from "./operator-api.js";

const flagsSchema = z.strictObject({
  dir: z.string().default("."),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  json: z.boolean().default(false),
});
type Flags = z.output<typeof flagsSchema>;

async function list(f: Flags, io: CliIo): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const { webhooks } = await api.api.call(MeshRoutes.webhooks, {});
  if (f.json) io.stdout(`${JSON.stringify({ webhooks }, null, 2)}\n`);
  else if (webhooks.length === 0) io.stdout("no webhooks (mesh.yaml webhooks:)\n");
  else
    io.stdout(
      `${formatTable(
        ["NAME", "URL", "TARGET", "GENERATION", "DELIVERIES", "LAST"],
        webhooks.map((w) => [
          w.name,
          `${api.target.url}${w.path}`,
          w.target,
          String(w.generation),
          String(w.deliveries),
          w.last_delivery_at === null ? "-" : new Date(w.last_delivery_at).toISOString(),
        ]),
      )}\n`,
    );
  return EXIT_OK;
}

/** Bumps the generation in the mesh, then prints the new secret once (derived here; never sent). */
async function rotate(name: string, f: Flags, io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, f.dir);
  const key = await masterKey(dir);
  const api = await operatorApi(dir, f.port);
  const r = await api.api.call(MeshRoutes.rotateWebhook, { params: { name } });
  const secret = webhookSecret(key, r.name, r.generation);
  const until = new Date(r.previous_valid_until).toISOString();
  if (f.json) io.stdout(`${JSON.stringify({ ...r, secret }, null, 2)}\n`);
  else
    io.stdout(
      `webhook ${r.name} rotated to generation ${r.generation}\n` +
        `secret (configure it at the sender; it is not shown again): ${secret}\n` +
        `the previous secret stays valid until ${until}\n`,
    );
  return EXIT_OK;
}

export const webhookCommand: CommandModule = {
  register(program, io, setExit) {
    const webhook = program
      .command("webhook")
      .description("add, list, remove signed webhooks and rotate their secrets");
    webhook
      .command("add")
      .description("add a webhook to mesh.yaml; prints its URL path and secret once")
      .argument("<name>", "webhook name: the URL segment of POST /webhook/hook/<name>")
      .requiredOption("--agent <agent>", "agent that receives the payload")
      .option("--message <text>", "message template for the agent; {payload} is replaced")
      .option("--workflow <workflow>", "start this workflow instead (payload as trigger.payload)")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--json", "machine-readable result (includes the secret)")
      .action(async (name: string, opts: WebhookAddOptions) => {
        const { runWebhookAdd } = await import("../../edit/webhook-edit.js");
        await runWebhookAdd(name, opts, io);
      });
    webhook
      .command("remove")
      .description("remove a webhook from mesh.yaml")
      .argument("<name>", "webhook name")
      .option("--dir <dir>", "fleet directory", ".")
      .action(async (name: string, opts: { dir: string }) => {
        const { runWebhookRemove } = await import("../../edit/webhook-edit.js");
        await runWebhookRemove(name, opts, io);
      });
    const flags = (label: string, raw: unknown): Flags | undefined => {
      const parsed = flagsSchema.safeParse(raw);
      if (parsed.success) return parsed.data;
      io.stderr(`${label}: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
      setExit(EXIT_USAGE);
      return undefined;
    };
    webhook
      .command("list")
      .description("list webhooks: URL, target and secret generation")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable list")
      .action(async (raw: unknown) => {
        const f = flags("webhook list", raw);
        if (f) setExit(await list(f, io));
      });
    webhook
      .command("rotate")
      .description("new secret for a webhook (printed once; the old one stays valid 24 h)")
      .argument("<name>", "webhook name")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable result (includes the secret)")
      .action(async (name: string, raw: unknown) => {
        const f = flags("webhook rotate", raw);
        if (f) setExit(await rotate(name, f, io));
      });
  },
};
