import { z } from "zod";

/** What the CLI reads from the mesh operator API (services/mesh/modules/operator/plugin.ts). */
export const agentStatusSchema = z.object({
  id: z.string(),
  role: z.string(),
  health: z.enum(["up", "down"]),
  detail: z.string(),
  checked_at: z.number(),
  pending: z.number().int(),
  dead: z.number().int(),
  last_push_error: z.string().nullable(),
});
export type AgentStatus = z.output<typeof agentStatusSchema>;

export const meshStatusSchema = z.object({ agents: z.array(agentStatusSchema) });
export type MeshStatus = z.output<typeof meshStatusSchema>;

/** The proxy's costs report as relayed by the mesh (services/egress-proxy/routes/admin.ts). */
export const costsSchema = z.object({
  day: z.string(),
  month: z.string(),
  agents: z.record(
    z.string(),
    z.object({
      today_usd: z.number(),
      month_usd: z.number(),
      reserved_usd: z.number().default(0),
      budget: z.object({ daily_usd: z.number(), monthly_usd: z.number() }),
      frozen: z.boolean().default(false),
    }),
  ),
  by_model: z.array(
    z.object({
      agent: z.string(),
      model: z.string(),
      day: z.string(),
      calls: z.number(),
      cost_usd: z.number(),
      input_tokens: z.number().nullish(),
      output_tokens: z.number().nullish(),
    }),
  ),
});
export type CostsReport = z.output<typeof costsSchema>;

export const streamEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("delta"), text: z.string() }),
  z.object({ type: z.literal("tool"), name: z.string(), status: z.enum(["start", "end", "error"]) }),
  z.object({ type: z.literal("done"), reply: z.string() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type StreamEvent = z.output<typeof streamEventSchema>;

export const meshErrorSchema = z.object({ code: z.string(), message: z.string() });
