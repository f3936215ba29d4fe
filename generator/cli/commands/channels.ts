import { resolve } from "node:path";
import { ChannelRoutes } from "../../../services/common/contracts/channel-routes.js";
import type { ChannelAddOptions } from "../../edit/channel-edit.js";
import { type CliIo, type CommandModule, EXIT_OK } from "../io.js";
import { operatorApi } from "./operator-api.js";

const CHANNELS = "telegram|discord|slack|whatsapp";

interface Flags {
  dir: string;
  port?: string;
  json?: boolean;
}

/** Configured channels from mesh.yaml, joined with the running mesh's view (connected, owner) when it answers. */
async function list(f: Flags, io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, f.dir);
  const { readFleetForEdit } = await import("../../edit/fleet-io.js");
  const { fleet } = await readFleetForEdit(f.dir, io.cwd);
  const configured = Object.entries(fleet.mesh.channels).filter(([, c]) => c !== undefined);
  let live: { name: string; state: string; detail: string | null; owner: string | null }[] | undefined;
  try {
    const api = await operatorApi(dir, f.port === undefined ? undefined : Number(f.port));
    live = (await api.api.call(ChannelRoutes.channels, {})).channels;
  } catch {
    live = undefined;
  }
  const rows = configured.map(([name, c]) => {
    const l = live?.find((x) => x.name === name);
    return {
      name,
      enabled: (c as { enabled: boolean }).enabled,
      state: live === undefined ? "mesh not running" : (l?.state ?? "not started"),
      detail: l?.detail ?? null,
      owner: l?.owner ?? null,
    };
  });
  if (f.json) io.stdout(`${JSON.stringify({ channels: rows }, null, 2)}\n`);
  else if (rows.length === 0) io.stdout("no channels (add one: openlegion channels add telegram)\n");
  else
    for (const r of rows)
      io.stdout(
        `${r.name}  ${r.enabled ? r.state : "disabled"}${r.detail ? ` (${r.detail})` : ""}  owner: ${r.owner ?? "not paired"}\n`,
      );
  return EXIT_OK;
}

async function pair(name: string, f: Flags, io: CliIo): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port === undefined ? undefined : Number(f.port));
  const r = await api.api.call(ChannelRoutes.pairChannel, { params: { name: name as "telegram" } });
  if (f.json) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
  else
    io.stdout(
      `Pairing code for ${r.name}: ${r.code}\nSend "/start ${r.code}" to your bot before ${new Date(r.expires_at).toISOString()}; the first user to send it becomes the owner.\n`,
    );
  return EXIT_OK;
}

export const channelsCommand: CommandModule = {
  register(program, io, setExit) {
    const channels = program.command("channels").description("add, list, remove or pair chat channels");
    channels
      .command("add")
      .description("connect a messaging channel (asks for its token with hidden input)")
      .argument("<channel>", CHANNELS)
      .option("--dir <dir>", "fleet directory", ".")
      .option("--agent <agent>", "agent that answers unaddressed messages")
      .option("--token-env <name>", "read the token from this environment variable instead of prompting")
      .option("--app-secret-env <name>", "whatsapp: read the Meta app secret from this environment variable")
      .option("--phone-number-id <id>", "whatsapp: the Cloud API phone number id")
      .option(
        "--mode <mode>",
        "slack: socket (default, no public URL) or http (Events API at /webhook/slack)",
      )
      .option(
        "--app-token-env <name>",
        "slack socket mode: read the xapp- app-level token from this variable",
      )
      .option("--signing-secret-env <name>", "slack http mode: read the signing secret from this variable")
      .action(async (channel: string, opts: ChannelAddOptions) => {
        const { runChannelAdd } = await import("../../edit/channel-edit.js");
        await runChannelAdd(channel, opts, io);
      });
    channels
      .command("list")
      .description("show configured channels: connected, paired owner")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable list")
      .action(async (f: Flags) => setExit(await list(f, io)));
    channels
      .command("remove")
      .description("disconnect a channel (removes it from mesh.yaml and its token from .env)")
      .argument("<channel>", CHANNELS)
      .option("--dir <dir>", "fleet directory", ".")
      .action(async (channel: string, opts: { dir: string }) => {
        const { runChannelRemove } = await import("../../edit/channel-edit.js");
        await runChannelRemove(channel, opts, io);
      });
    channels
      .command("pair")
      .description("show the pending pairing code of a channel (issues one if none is pending)")
      .argument("<channel>", CHANNELS)
      .option("--dir <dir>", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable result")
      .action(async (channel: string, f: Flags) => setExit(await pair(channel, f, io)));
  },
};
