import { isOlError } from "../../../../common/errors.js";
import { compileGlob, globProblem } from "../../../../common/glob.js";
import type { MeshContext } from "../../../context.js";
import { MeshErrors } from "../../../errors.js";
import type { PublishedEvent } from "../../../events.js";
import type { Json } from "../cel.js";
import { OrchErrors } from "../errors.js";
import type { WorkflowRunner } from "../workflow/runner.js";

/**
 * Workflow `trigger: <topic>`: a publish on a matching topic starts a run with the payload as
 * `trigger.payload` (inputs empty: defaults apply). A trigger is a topic or a separator-aware glob
 * (`leads/*`). Runs start inside the publish's transaction; a run that cannot start (bad inputs, run
 * limit, skipped by concurrency) is audited and never fails the publish.
 */
export function eventTriggers(ctx: MeshContext, runner: WorkflowRunner): (e: PublishedEvent) => string[] {
  const matchers = [...runner.workflows.values()]
    .filter((w) => w.def.trigger !== null)
    .map((w) => {
      const trigger = w.def.trigger as string;
      const re = globProblem(trigger) === undefined ? compileGlob(trigger) : undefined;
      return { name: w.def.name, test: (topic: string) => (re ? re.test(topic) : topic === trigger) };
    });
  return (e) => {
    const started: string[] = [];
    for (const m of matchers) {
      if (!m.test(e.topic)) continue;
      try {
        const out = runner.start(m.name, {}, { kind: "event", name: e.topic, payload: e.payload as Json });
        ctx.audit({
          actor: e.from,
          action: "workflow.trigger",
          target: m.name,
          outcome: out.state === "skipped" ? "error" : "ok",
          code: out.state === "skipped" ? OrchErrors.concurrencySkipped.code : null,
          detail: { topic: e.topic, state: out.state, run: out.run_id },
        });
        if (out.run_id) started.push(out.run_id);
      } catch (error) {
        ctx.audit({
          actor: e.from,
          action: "workflow.trigger",
          target: m.name,
          outcome: "error",
          code: isOlError(error) ? error.code : MeshErrors.internal.code,
          detail: {
            topic: e.topic,
            message: error instanceof Error ? error.message.slice(0, 300) : "failed",
          },
        });
      }
    }
    return started;
  };
}
