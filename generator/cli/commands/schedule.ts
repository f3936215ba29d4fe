import { resolve } from "node:path";
import { z } from "zod";
import type { ScheduleView } from "../../../services/common/contracts/mesh-api.js";
import { MeshRoutes } from "../../../services/common/contracts/mesh-routes.js";
import { formatTable } from "../../docker/table.js";
import { type CliIo, type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";
import { operatorApi } from "./operator-api.js";

const flagsSchema = z.strictObject({
  dir: z.string().default("."),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  json: z.boolean().default(false),
  schedule: z.string().optional(),
  timezone: z.string().optional(),
  message: z.string().optional(),
  tool: z.string().optional(),
  params: z.string().optional(),
});
type Flags = z.output<typeof flagsSchema>;

const when = (ms: number | null) =>
  ms === null ? "-" : new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** What a schedule does, on one line: the workflow it starts, the tool it calls, or its message. */
function what(s: ScheduleView): string {
  if (s.workflow) return `workflow ${s.workflow}`;
  if (s.tool) return `tool ${s.tool.name} ${JSON.stringify(s.tool.params)}`;
  return "message";
}

export function formatSchedules(schedules: readonly ScheduleView[]): string {
  if (schedules.length === 0) return "no schedules (mesh.yaml schedules:, or an agent's set_cron)";
  return formatTable(
    ["ID", "AGENT", "SPEC", "STATE", "NEXT", "FIRES", "ERRORS", "LAST", "DOES"],
    schedules.map((s) => [
      s.id,
      s.agent || "-",
      s.spec,
      s.paused ? "paused" : s.next_run_at === null ? "done" : "active",
      s.paused ? "-" : when(s.next_run_at),
      String(s.fires),
      String(s.errors),
      s.last_outcome ?? "-",
      what(s),
    ]),
  );
}

async function list(f: Flags, io: CliIo): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const { schedules } = await api.api.call(MeshRoutes.schedules, {});
  io.stdout(f.json ? `${JSON.stringify({ schedules }, null, 2)}\n` : `${formatSchedules(schedules)}\n`);
  return EXIT_OK;
}

async function update(id: string, body: Record<string, unknown>, f: Flags, io: CliIo): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const s = await api.api.call(MeshRoutes.updateSchedule, { params: { id }, body });
  io.stdout(
    f.json
      ? `${JSON.stringify(s, null, 2)}\n`
      : `schedule ${s.id}: ${s.paused ? "paused" : `next ${when(s.next_run_at)}`} (${s.spec}, ${what(s)})\n`,
  );
  return EXIT_OK;
}

/** `schedule update` flags → the body of PUT /v1/schedules/:id; a usage error names the flag. */
export function updateBody(f: Flags): Record<string, unknown> | string {
  const body: Record<string, unknown> = {};
  if (f.schedule !== undefined) body.schedule = f.schedule;
  if (f.timezone !== undefined) body.timezone = f.timezone;
  if (f.message !== undefined) body.message = f.message;
  if (f.params !== undefined && f.tool === undefined) return "--params needs --tool";
  if (f.tool !== undefined) {
    let params: unknown = {};
    try {
      params = f.params === undefined ? {} : JSON.parse(f.params);
    } catch {
      return "--params must be a JSON object";
    }
    body.tool = { name: f.tool, params };
  }
  if (Object.keys(body).length === 0)
    return "nothing to change: give --schedule, --timezone, --message or --tool";
  return body;
}

export const scheduleCommand: CommandModule = {
  register(program, io, setExit) {
    const schedule = program
      .command("schedule")
      .description("list, pause, resume and update the running mesh's schedules");
    const flags = (label: string, raw: unknown): Flags | undefined => {
      const parsed = flagsSchema.safeParse(raw);
      if (parsed.success) return parsed.data;
      io.stderr(`${label}: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
      setExit(EXIT_USAGE);
      return undefined;
    };
    const common = (cmd: ReturnType<typeof program.command>) =>
      cmd
        .option("--dir <dir>", "fleet directory", ".")
        .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
        .option("--json", "machine-readable output");
    common(schedule.command("list").description("every schedule: state, next run, fires, errors")).action(
      async (raw: unknown) => {
        const f = flags("schedule list", raw);
        if (f) setExit(await list(f, io));
      },
    );
    for (const [name, paused] of [
      ["pause", true],
      ["resume", false],
    ] as const)
      common(
        schedule
          .command(name)
          .description(
            paused ? "stop firing (slots while paused are skipped)" : "fire again from the next slot",
          )
          .argument("<id>", "schedule id (schedule list)"),
      ).action(async (id: string, raw: unknown) => {
        const f = flags(`schedule ${name}`, raw);
        if (f) setExit(await update(id, { paused }, f, io));
      });
    common(
      schedule
        .command("update")
        .description("change an agent's schedule (mesh.yaml schedules change in mesh.yaml)")
        .argument("<id>", "schedule id (schedule list)")
        .option("--schedule <spec>", 'cron ("0 9 * * 1-5"), "every 30m" or "at <ISO time>"')
        .option("--timezone <zone>", "IANA time zone for cron")
        .option("--message <text>", "what the agent is woken with")
        .option("--tool <name>", "call this tool instead, without waking the model")
        .option("--params <json>", "the tool's parameters, a JSON object"),
    ).action(async (id: string, raw: unknown) => {
      const f = flags("schedule update", raw);
      if (!f) return;
      const body = updateBody(f);
      if (typeof body === "string") {
        io.stderr(`schedule update: ${body}\n`);
        setExit(EXIT_USAGE);
        return;
      }
      setExit(await update(id, body, f, io));
    });
  },
};
