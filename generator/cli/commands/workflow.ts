import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { MeshRoutes } from "../../../services/common/contracts/mesh-routes.js";
import type { WorkflowRunDetail } from "../../../services/common/contracts/orchestration-routes.js";
import { type CliIo, type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../io.js";
import { operatorApi } from "./operator-api.js";

const common = {
  dir: z.string().default("."),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  json: z.boolean().default(false),
};
const runFlags = z.strictObject({
  ...common,
  input: z.array(z.string()).default([]),
  wait: z.boolean().default(false),
  timeout: z.coerce.number().int().min(1).max(86_400).default(3600),
});
const readFlags = z.strictObject(common);
const decisionFlags = z.strictObject({ ...common, comment: z.string().max(2000).optional() });

type JsonValue = z.output<ReturnType<typeof z.json>>;

/** `--input k=v`: the value is JSON when it parses (numbers, booleans, objects), else the raw string. */
export function parseInputs(pairs: readonly string[]): Record<string, JsonValue> | string {
  const out: Record<string, JsonValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) return `--input "${pair}" must look like key=value`;
    const key = pair.slice(0, eq);
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(key)) return `--input key "${key}" is not a workflow input name`;
    const raw = pair.slice(eq + 1);
    let value: JsonValue = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    out[key] = value;
  }
  return out;
}

const time = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().slice(11, 19) : "-");

/** The step table of `workflow show` (and `run --wait`). */
export function formatRun(run: WorkflowRunDetail): string {
  const rows = run.steps.map((s) => [
    s.id,
    s.status,
    String(s.attempt),
    time(s.started_at),
    time(s.finished_at),
    s.error ? `${s.error.kind}: ${s.error.message}`.slice(0, 80) : (s.reason ?? ""),
  ]);
  const head = ["STEP", "STATUS", "ATTEMPT", "STARTED", "FINISHED", "NOTE"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()}\n`;
  return `run ${run.id} of ${run.workflow} (${run.trigger.kind} ${run.trigger.name}): ${run.status}\n${line(head)}${rows.map(line).join("")}`;
}

const ok = (status: string) => status === "succeeded";
const settled = (status: string) => !["running", "queued"].includes(status);

async function runWorkflow(name: string, f: z.output<typeof runFlags>, io: CliIo): Promise<number> {
  const inputs = parseInputs(f.input);
  if (typeof inputs === "string") {
    io.stderr(`workflow run: ${inputs}\n`);
    return EXIT_USAGE;
  }
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const started = await api.api.call(MeshRoutes.startRun, { params: { name }, body: { inputs } });
  if (!f.wait) {
    io.stdout(
      f.json
        ? `${JSON.stringify(started, null, 2)}\n`
        : "position" in started
          ? `queued run ${started.id} (position ${started.position} behind a run with the same concurrency key)\n`
          : `started run ${started.id} (${started.status}); openlegion workflow show ${started.id}\n`,
    );
    return EXIT_OK;
  }
  const deadline = Date.now() + f.timeout * 1000;
  for (;;) {
    const run = await api.api.find(MeshRoutes.run, { params: { id: started.id } });
    if (run && settled(run.status)) {
      io.stdout(f.json ? `${JSON.stringify(run, null, 2)}\n` : formatRun(run));
      return ok(run.status) ? EXIT_OK : EXIT_FAILURE;
    }
    if (Date.now() > deadline) {
      io.stderr(`workflow run: ${started.id} still ${run?.status ?? "queued"} after ${f.timeout} s\n`);
      return EXIT_FAILURE;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function listWorkflows(f: z.output<typeof readFlags>, io: CliIo): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const { workflows } = await api.api.call(MeshRoutes.workflows, {});
  const { runs } = await api.api.call(MeshRoutes.runs, { query: { limit: 20 } });
  if (f.json) {
    io.stdout(`${JSON.stringify({ workflows, runs }, null, 2)}\n`);
    return EXIT_OK;
  }
  io.stdout(
    workflows.length === 0 ? "no workflows (config/workflows/*.yaml)\n" : "WORKFLOW  TRIGGER  STEPS\n",
  );
  for (const w of workflows) io.stdout(`${w.name}  ${w.trigger ?? "-"}  ${w.steps}\n`);
  if (runs.length > 0) io.stdout("\nRECENT RUNS\n");
  for (const r of runs)
    io.stdout(`${r.id}  ${r.workflow}  ${r.status}  ${new Date(r.started_at).toISOString()}\n`);
  return EXIT_OK;
}

async function showRun(id: string, f: z.output<typeof readFlags>, io: CliIo): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const run = await api.api.call(MeshRoutes.run, { params: { id } });
  io.stdout(f.json ? `${JSON.stringify(run, null, 2)}\n` : formatRun(run));
  return EXIT_OK;
}

async function decide(
  approve: boolean,
  id: string,
  step: string,
  f: z.output<typeof decisionFlags>,
  io: CliIo,
): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const body = { approve, ...(f.comment ? { comment: f.comment } : {}) };
  const run = await api.api.call(MeshRoutes.decide, { params: { id, step }, body });
  io.stdout(
    f.json
      ? `${JSON.stringify(run, null, 2)}\n`
      : `${approve ? "approved" : "rejected"} ${step}; run ${run.id} is ${run.status}\n`,
  );
  return EXIT_OK;
}

/** Parses flags with `schema`, then runs `fn`; bad flags print one line and exit 2. */
function action<S extends z.ZodType>(
  io: CliIo,
  setExit: (code: number) => void,
  label: string,
  schema: S,
  fn: (args: string[], flags: z.output<S>) => Promise<number>,
) {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const parsed = schema.safeParse(command.opts());
    if (!parsed.success) {
      io.stderr(`${label}: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
      setExit(EXIT_USAGE);
      return;
    }
    setExit(await fn(command.args, parsed.data));
  };
}

const withCommon = (c: Command) =>
  c
    .option("--dir <dir>", "fleet directory", ".")
    .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
    .option("--json", "machine-readable output");

export const workflowCommand: CommandModule = {
  register(program, io, setExit) {
    const workflow = program.command("workflow").description("run and inspect workflows (through the mesh)");
    withCommon(
      workflow.command("run").description("start a workflow run").argument("<name>", "workflow name"),
    )
      .option("--input <key=value...>", "workflow input, JSON or text (repeatable)")
      .option("--wait", "wait for the run to finish and print its steps (exit 1 unless it succeeded)")
      .option("--timeout <seconds>", "with --wait: give up after this long", "3600")
      .action(
        action(io, setExit, "workflow run", runFlags, ([name], f) => runWorkflow(name as string, f, io)),
      );
    withCommon(workflow.command("list").description("list workflows and recent runs")).action(
      action(io, setExit, "workflow list", readFlags, (_a, f) => listWorkflows(f, io)),
    );
    withCommon(
      workflow.command("show").description("show a run step by step").argument("<run>", "run id"),
    ).action(action(io, setExit, "workflow show", readFlags, ([id], f) => showRun(id as string, f, io)));
    for (const verb of ["approve", "reject"] as const)
      withCommon(
        workflow
          .command(verb)
          .description(`${verb} an approval step that is waiting`)
          .argument("<run>", "run id")
          .argument("<step>", "step id"),
      )
        .option("--comment <text>", "recorded with the decision")
        .action(
          action(io, setExit, `workflow ${verb}`, decisionFlags, ([id, step], f) =>
            decide(verb === "approve", id as string, step as string, f, io),
          ),
        );
  },
};
