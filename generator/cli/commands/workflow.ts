import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { MeshRoutes } from "../../../services/common/contracts/mesh-routes.js";
import type { MeshClient } from "../../client/mesh-client.js";
import { formatTable } from "../../docker/table.js";
import { painter } from "../colour.js";
import { type CliIo, type CommandModule, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../io.js";
import { formatRun, rewind, stepChanges } from "../workflow-view.js";
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
  // The id first, before any waiting: whoever interrupts --wait still knows which run to look at.
  if (!f.json || !f.wait)
    io.stdout(
      f.json
        ? `${JSON.stringify(started, null, 2)}\n`
        : "position" in started
          ? `run ${started.id} queued (position ${started.position} behind a run with the same concurrency key)\n`
          : `run ${started.id} ${started.status}${f.wait ? "" : `; openlegion workflow show ${started.id}`}\n`,
    );
  if (!f.wait) return EXIT_OK;
  return watchRun(api, started.id, f, io);
}

/**
 * `run --wait`: polls the run until it settles. On a terminal the step table is redrawn in place
 * (like `gh run watch`); otherwise each step's change of state is one plain line, then the table.
 */
async function watchRun(
  api: MeshClient,
  id: string,
  f: z.output<typeof runFlags>,
  io: CliIo,
): Promise<number> {
  const paint = painter(io);
  const live = io.isTTY && !f.json;
  const seen = new Map<string, string>();
  let drawn = 0;
  const deadline = Date.now() + f.timeout * 1000;
  for (;;) {
    const run = await api.api.find(MeshRoutes.run, { params: { id } });
    const done = run !== undefined && settled(run.status);
    if (run && live) {
      const view = formatRun(run, paint);
      io.stdout(rewind(drawn) + view);
      drawn = view.split("\n").length - 1;
    } else if (run && !f.json) io.stdout(stepChanges(run, seen));
    if (run && done) {
      if (f.json) io.stdout(`${JSON.stringify(run, null, 2)}\n`);
      else if (!live) io.stdout(formatRun(run));
      return ok(run.status) ? EXIT_OK : EXIT_FAILURE;
    }
    if (Date.now() > deadline) {
      io.stderr(`workflow run: ${id} still ${run?.status ?? "queued"} after ${f.timeout} s\n`);
      return EXIT_FAILURE;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function cancelRun(id: string, f: z.output<typeof readFlags>, io: CliIo): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const run = await api.api.call(MeshRoutes.cancelRun, { params: { id } });
  io.stdout(
    f.json ? `${JSON.stringify(run, null, 2)}\n` : `run ${run.id} of ${run.workflow}: ${run.status}\n`,
  );
  return EXIT_OK;
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
    workflows.length === 0
      ? "no workflows (config/workflows/*.yaml)\n"
      : formatTable(
          ["WORKFLOW", "TRIGGER", "STEPS"],
          workflows.map((w) => [w.name, w.trigger ?? "-", String(w.steps)]),
        ),
  );
  if (runs.length > 0)
    io.stdout(
      `\n${formatTable(
        ["RUN", "WORKFLOW", "STATUS", "STARTED"],
        runs.map((r) => [r.id, r.workflow, r.status, new Date(r.started_at).toISOString()]),
      )}`,
    );
  return EXIT_OK;
}

async function showRun(id: string, f: z.output<typeof readFlags>, io: CliIo): Promise<number> {
  const api = await operatorApi(resolve(io.cwd, f.dir), f.port);
  const run = await api.api.call(MeshRoutes.run, { params: { id } });
  io.stdout(f.json ? `${JSON.stringify(run, null, 2)}\n` : formatRun(run, painter(io)));
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
      .option("--wait", "follow the run's steps live until it finishes (exit 1 unless it succeeded)")
      .option("--timeout <seconds>", "with --wait: give up after this long", "3600")
      .action(
        action(io, setExit, "workflow run", runFlags, ([name], f) => runWorkflow(name as string, f, io)),
      );
    withCommon(workflow.command("list").description("list workflows and recent runs")).action(
      action(io, setExit, "workflow list", readFlags, (_a, f) => listWorkflows(f, io)),
    );
    withCommon(
      workflow
        .command("cancel")
        .description("cancel a run (running steps are stopped)")
        .argument("<run>", "run id"),
    ).action(action(io, setExit, "workflow cancel", readFlags, ([id], f) => cancelRun(id as string, f, io)));
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
