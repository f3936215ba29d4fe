import type { FastifyInstance } from "fastify";
import type { z } from "zod";

import { channelNameSchema } from "../../../common/contracts/fleet/channels.js";

export { channelNameSchema };
export type ChannelName = z.output<typeof channelNameSchema>;

/** One inbound chat message, normalised from any platform. Every field came from the platform: untrusted. */
export interface InboundMessage {
  channel: ChannelName;
  /** Platform message id (Telegram update_id, Slack event_id, wamid…), for dedupe of redeliveries. */
  messageId: string;
  /** Stable sender id (Telegram from.id, Discord snowflake, Slack team:user, WhatsApp wa_id). */
  userId: string;
  /** Where to answer (chat, channel or phone number). */
  chatId: string;
  text: string;
}

export type ChannelState =
  | "starting"
  | "connected"
  | "token_rejected"
  | "conflict"
  | "reconnecting"
  | "missing_token"
  | "stopped";

export interface ChannelStatus {
  name: ChannelName;
  state: ChannelState;
  /** Human-readable detail; never a token (adapters pass it through redact()). */
  detail: string | null;
}

/** Thrown by an adapter's send when the platform answered 429: the pacer waits and retries. */
export class RetryAfter extends Error {
  constructor(readonly seconds: number) {
    super(`rate limited by the platform; retry after ${seconds} s`);
  }
}

/** Thrown by an adapter's send when the platform's rules forbid the message (no retry, no apology). */
export class Undeliverable extends Error {}

/** One platform behind one interface: the ingress layer does everything else (access, routing, chunking). */
export interface ChannelAdapter {
  readonly name: ChannelName;
  /** Longest message the platform accepts, in UTF-16 code units. */
  readonly maxChars: number;
  /** Minimum spacing between two sends to one chat (the platform's per-chat rate limit). */
  readonly minIntervalMs: number;
  /** Starts receiving; resolves once the connection attempt is under way (never throws for a bad token). */
  start(onMessage: (m: InboundMessage) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
  /** Sends one chunk (already ≤ maxChars). Throws RetryAfter on a platform 429. */
  send(chatId: string, text: string): Promise<void>;
  /** Shows "typing…" where the platform has it; best effort. */
  typing(chatId: string): Promise<void>;
  status(): ChannelStatus;
  /** Platforms that push to us register their inbound routes on the mesh's Fastify; true when they did. */
  routes?(app: FastifyInstance): Promise<boolean>;
}
