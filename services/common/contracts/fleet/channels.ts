import { z } from "zod";
import { agentId } from "./primitives.js";

/**
 * A chat channel in mesh.yaml `channels:` (the generator validates the file with it, the mesh re-checks
 * the compiled config with it). Tokens are never here: they live in `.env` as OPENLEGION_CRED_* and
 * reach the mesh only as Compose secrets.
 */
export const channelSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("Whether the mesh connects this channel."),
  default_agent: agentId
    .optional()
    .describe("Agent that answers unaddressed messages (default: the first agent)."),
  agents: z
    .array(agentId)
    .min(1)
    .max(256)
    .optional()
    .describe("Agents users of this channel may reach with /use and @agent (default: every agent)."),
  api_root: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "Platform API base URL, for a self-hosted Telegram Bot API server or a test double (default: the platform's).",
    ),
});

export const whatsappChannelSchema = channelSchema.extend({
  phone_number_id: z
    .string()
    .regex(/^\d{5,20}$/, "the phone number id is digits (Meta app dashboard → WhatsApp → API Setup)")
    .describe("Cloud API phone number id that sends and receives (not the phone number itself)."),
});

export const slackChannelSchema = channelSchema.extend({
  mode: z
    .enum(["socket", "http"])
    .default("socket")
    .describe(
      "socket: Socket Mode (no public URL; bot + app token); http: Events API at POST /webhook/slack (bot token + signing secret).",
    ),
});

export const channelNameSchema = z.enum(["telegram", "discord", "slack", "whatsapp"]);

export const channelsSchema = z.strictObject({
  telegram: channelSchema.optional(),
  discord: channelSchema.optional(),
  slack: slackChannelSchema.optional(),
  whatsapp: whatsappChannelSchema.optional(),
});

export type ChannelConfig = z.output<typeof channelSchema> & {
  phone_number_id?: string;
  mode?: "socket" | "http";
};
