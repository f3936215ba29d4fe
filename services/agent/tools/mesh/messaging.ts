import { z } from "zod";
import { laneSchema } from "../../../common/contracts/mesh-api.js";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { defineTool } from "../types.js";

const TOPIC = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_.\-/:@]+$/, "a literal topic: letters, digits and _ . - / : @ (no wildcards)");

/** A direct message through the mesh (`POST /v1/messages`); can_message is enforced there (403 → tool error). */
export const sendMessageTool = defineTool({
  name: "send_message",
  description:
    "Send a direct message to another agent (delivered to its inbox). Give text, or payload for structured data. " +
    "lane: followup (default, after its current turn), steer (into its running turn) or collect. Only agents your " +
    "can_message permission allows (see list_agents).",
  input: z
    .strictObject({
      to: z.string().min(1).max(64),
      text: z.string().min(1).max(100_000).optional(),
      payload: z.json().optional(),
      lane: laneSchema.optional(),
    })
    .refine(
      (a) => (a.text === undefined) !== (a.payload === undefined),
      "give exactly one of text or payload",
    ),
  async run(args, ctx) {
    const body = { to: args.to, payload: args.text ?? args.payload, lane: args.lane ?? "followup" };
    return ctx.mesh.call(MeshRoutes.sendMessage, { body }, { signal: ctx.signal });
  },
});

export const subscribeTopicTool = defineTool({
  name: "subscribe_topic",
  description:
    "Subscribe to a mesh topic: events published on it arrive in your inbox. Topics your can_subscribe permission " +
    "names literally are subscribed at boot; use this for topics it grants by a wildcard.",
  input: z.strictObject({ topic: TOPIC }),
  async run(args, ctx) {
    return ctx.mesh.call(MeshRoutes.subscribe, { body: args }, { signal: ctx.signal });
  },
});

export const unsubscribeTopicTool = defineTool({
  name: "unsubscribe_topic",
  description: "Stop receiving events of a mesh topic.",
  input: z.strictObject({ topic: TOPIC }),
  async run(args, ctx) {
    return ctx.mesh.call(MeshRoutes.unsubscribe, { query: args }, { signal: ctx.signal });
  },
});
