import type { FastifyInstance } from "fastify";
import { pathOf } from "../../../../common/contracts/contract.js";
import { MeshRoutes } from "../../../../common/contracts/mesh-routes.js";
import { route } from "../../../../common/http/route.js";
import { webhookSecret } from "../../../../common/tokens.js";
import type { MeshContext } from "../../../context.js";
import { OrchErrors } from "../errors.js";
import { webhookPayload } from "../webhook/payload.js";
import type { WebhookStore } from "../webhook/store.js";
import { MAX_BODY_BYTES, verifyWebhook } from "../webhook/verify.js";
import type { WorkflowRunner } from "../workflow/runner.js";
import type { WebhookDef } from "./config.js";

export const ROTATION_GRACE_MS = 24 * 3_600_000;

/** A webhook's secret is derived from the master key and its generation (the CLI derives the same). */
export { webhookSecret };

export async function triggerRoutes(
  app: FastifyInstance,
  ctx: MeshContext,
  deps: {
    runner: WorkflowRunner;
    hooks: WebhookStore;
    webhooks: ReadonlyMap<string, WebhookDef>;
  },
): Promise<void> {
  // ── operator: webhooks ──
  route(app, MeshRoutes.webhooks, async () => ({
    webhooks: [...deps.webhooks.values()].map((w) => ({
      name: w.name,
      path: pathOf(MeshRoutes.webhook, { name: w.name }),
      target: w.workflow ? `workflow:${w.workflow}` : `agent:${w.agent}`,
      generation: deps.hooks.generation(w.name).generation,
      ...deps.hooks.deliveries(w.name),
    })),
  }));

  route(app, MeshRoutes.rotateWebhook, async (req) => {
    if (!deps.webhooks.has(req.params.name)) throw OrchErrors.unknownWebhook(req.params.name);
    const now = ctx.clock.now();
    const generation = deps.hooks.rotate(req.params.name, now, ROTATION_GRACE_MS);
    ctx.audit({
      actor: "operator",
      action: "webhook.rotate",
      target: req.params.name,
      outcome: "ok",
      code: null,
      detail: { generation },
    });
    return { name: req.params.name, generation, previous_valid_until: now + ROTATION_GRACE_MS };
  });

  // ── public: signed webhooks, raw body, 1 MiB, 202 fast ──
  await app.register(async (hooks) => {
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    route(hooks, MeshRoutes.webhook, async (req, reply) => {
      const name = req.params.name;
      const hook = deps.webhooks.get(name);
      if (!hook) throw OrchErrors.unknownWebhook(name);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const now = ctx.clock.now();
      const gen = deps.hooks.generation(name);
      const secrets = [webhookSecret(ctx.masterKey, name, gen.generation)];
      if (gen.previous_valid_until !== null && now < gen.previous_valid_until)
        secrets.push(webhookSecret(ctx.masterKey, name, gen.generation - 1));
      const v = verifyWebhook({ headers: req.headers, body, secrets, nowMs: now });
      if (!v.ok) {
        ctx.audit({
          actor: "anonymous",
          action: "webhook.reject",
          target: name,
          outcome: "denied",
          code: OrchErrors.webhookSignature.code,
          detail: { why: v.reason },
        });
        throw OrchErrors.webhookSignature(v.reason);
      }
      const payload = webhookPayload(body);
      const outcome = ctx.store.transaction(() => {
        if (v.deliveryId && !deps.hooks.claim(name, v.deliveryId, now))
          return { duplicate: true, run: null as string | null };
        deps.hooks.delivered(name, now);
        if (hook.workflow) {
          const out = deps.runner.start(hook.workflow, {}, { kind: "webhook", name, payload });
          return { duplicate: false, run: out.run_id };
        }
        const text = (hook.message ?? "Webhook {name}: {payload}")
          .replaceAll("{name}", name)
          .replaceAll("{payload}", JSON.stringify(payload).slice(0, 50_000));
        ctx.delivery.enqueue([
          {
            agent: hook.agent,
            kind: "message",
            sender: "mesh",
            topic: `webhook/${name}`,
            lane: "followup",
            payload: JSON.stringify({ type: "webhook", hook: name, text, payload }),
          },
        ]);
        return { duplicate: false, run: null };
      });
      return reply.code(202).send({ accepted: true, duplicate: outcome.duplicate, run_id: outcome.run });
    });
  });
}
