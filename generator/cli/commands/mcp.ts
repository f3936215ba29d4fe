import { resolve } from "node:path";
import type { z } from "zod";
import type { mcpServerViewSchema } from "../../../services/common/contracts/agent-routes.js";
import { MeshRoutes } from "../../../services/common/contracts/mesh-routes.js";
import { type CliIo, type CommandModule, EXIT_OK } from "../io.js";
import { operatorApi } from "./operator-api.js";

interface Flags {
  dir: string;
  port?: string;
  json?: boolean;
}

type View = z.output<typeof mcpServerViewSchema>;
type Row = View & { agent: string };

const portOf = (f: Flags) => (f.port === undefined ? undefined : Number(f.port));

/** One row per server: state, transport, negotiated protocol revision, tools, held tools. */
export function formatMcpTable(rows: readonly Row[]): string {
  if (rows.length === 0) return "no MCP servers\n";
  const table = [
    ["AGENT", "SERVER", "STATE", "TRANSPORT", "PROTOCOL", "TOOLS", "HELD"],
    ...rows.map((r) => [
      r.agent,
      r.name,
      r.state,
      r.transport ?? "-",
      r.protocol ?? "-",
      String(r.tools),
      r.held.map((h) => h.name).join(",") || "-",
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
  const held = rows.flatMap((r) =>
    r.held.map((h) => `  ${r.agent}/${r.name}/${h.name}: ${JSON.stringify(h.description.slice(0, 200))}`),
  );
  const errors = rows.filter((r) => r.error).map((r) => `  ${r.agent}/${r.name}: ${r.error}`);
  return [
    ...lines,
    ...(held.length
      ? [
          "",
          "Held (changed since pinned; review, then: openlegion mcp approve <agent> <server> <tool>):",
          ...held,
        ]
      : []),
    ...(errors.length ? ["", "Errors:", ...errors] : []),
    "",
  ].join("\n");
}

/** The MCP servers of one agent, or of every agent of the running fleet. */
async function list(agent: string | undefined, f: Flags, io: CliIo): Promise<number> {
  const client = await operatorApi(resolve(io.cwd, f.dir), portOf(f));
  const ids = agent ? [agent] : (await client.status()).agents.map((a) => a.id).sort();
  const rows: Row[] = [];
  for (const id of ids) {
    const r = await client.api.call(MeshRoutes.mcpServers, { params: { id } });
    rows.push(...r.servers.map((s) => ({ agent: id, ...s })));
  }
  io.stdout(f.json ? `${JSON.stringify({ servers: rows }, null, 2)}\n` : formatMcpTable(rows));
  return EXIT_OK;
}

async function approve(agent: string, server: string, tool: string, f: Flags, io: CliIo): Promise<number> {
  const client = await operatorApi(resolve(io.cwd, f.dir), portOf(f));
  const r = await client.api.call(MeshRoutes.mcpApprove, { params: { id: agent }, body: { server, tool } });
  io.stdout(
    f.json
      ? `${JSON.stringify(r, null, 2)}\n`
      : `approved ${agent}/${r.server}/${r.tool}: its new definition is pinned and offered from the next turn\n`,
  );
  return EXIT_OK;
}

export const mcpCommand: CommandModule = {
  register(program, io, setExit) {
    const mcp = program
      .command("mcp")
      .description("MCP servers of the running agents: state, protocol revision, held tools");
    mcp
      .command("list")
      .description("show each MCP server: state, transport, negotiated protocol, tools, held tools")
      .argument("[agent]", "one agent (default: every agent)")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable list")
      .action(async (agent: string | undefined, f: Flags) => setExit(await list(agent, f, io)));
    mcp
      .command("approve")
      .description("accept the changed definition of a held MCP tool (a rug pull you reviewed)")
      .argument("<agent>", "agent id")
      .argument("<server>", "MCP server name")
      .argument("<tool>", "tool name as the server names it")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("--json", "machine-readable result")
      .action(async (agent: string, server: string, tool: string, f: Flags) =>
        setExit(await approve(agent, server, tool, f, io)),
      );
  },
};
