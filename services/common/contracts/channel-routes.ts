import { z } from "zod";
import { endpoint } from "./contract.js";
import { channelNameSchema } from "./fleet/channels.js";

/** Platform webhooks are signed, not token-authenticated: the raw body (≤ 1 MiB) is verified first. */
const WEBHOOK_BODY_LIMIT = 1_048_576;

/** Chat channels' operator routes (`openlegion channels list|pair`) and the platforms' webhooks. */
export const ChannelRoutes = {
  slackEvents: endpoint("POST", "/webhook/slack", "none", { bodyLimit: WEBHOOK_BODY_LIMIT }),
  whatsappVerify: endpoint("GET", "/webhook/whatsapp", "none", {
    query: z.object({
      "hub.mode": z.string().max(64).optional(),
      "hub.verify_token": z.string().max(256).optional(),
      "hub.challenge": z.string().max(256).optional(),
    }),
  }),
  whatsappEvents: endpoint("POST", "/webhook/whatsapp", "none", { bodyLimit: WEBHOOK_BODY_LIMIT }),
  channels: endpoint("GET", "/v1/channels", "operator", {
    response: {
      200: z.object({
        channels: z.array(
          z.object({
            name: channelNameSchema,
            state: z.string(),
            detail: z.string().nullable(),
            owner: z.string().nullable(),
            allowed: z.int(),
            pending_codes: z.int(),
          }),
        ),
      }),
    },
  }),
  pairChannel: endpoint("POST", "/v1/channels/:name/pair", "operator", {
    params: z.object({ name: channelNameSchema }),
    response: { 200: z.object({ name: channelNameSchema, code: z.string(), expires_at: z.int() }) },
  }),
} as const;
