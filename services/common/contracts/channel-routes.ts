import { z } from "zod";
import { endpoint } from "./contract.js";
import { channelNameSchema } from "./fleet/channels.js";

/** Chat channels' operator routes (`openlegion channels list|pair`); webhooks are raw-body routes of the module. */
export const ChannelRoutes = {
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
