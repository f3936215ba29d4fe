import { z } from "zod";

/**
 * Every limit the mesh enforces, with defaults. main.ts reads overrides from OPENLEGION_MESH_LIMITS
 * (a JSON object, validated here); tests pass them to buildApp directly.
 */
export const meshLimitsSchema = z.strictObject({
  body_bytes: z
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  value_bytes: z
    .int()
    .min(16)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  keys_per_agent: z.int().min(1).default(10_000),
  versions_per_key: z.int().min(1).max(1000).default(20),
  max_ttl_s: z
    .int()
    .min(1)
    .default(30 * 24 * 3600),
  rate_rps: z.number().positive().default(200),
  rate_burst: z.int().min(1).default(400),
  inbox_depth: z.int().min(1).default(1000),
  watches_per_agent: z.int().min(1).default(100),
  subscriptions_per_agent: z.int().min(1).default(100),
  /** Concurrent operator change feeds (GET /v1/watch) and the frames each may fall behind by. */
  watch_feeds: z.int().min(1).default(16),
  watch_feed_queue: z.int().min(1).default(1000),
  list_page: z.int().min(1).max(1000).default(100),
  push_batch: z.int().min(1).max(500).default(50),
  push_timeout_ms: z.int().min(50).default(10_000),
  retry_base_ms: z.int().min(1).default(500),
  retry_max_ms: z.int().min(1).default(60_000),
  retry_attempts: z.int().min(1).default(12),
  /** How often agents holding dead-lettered messages are probed; one that answers gets them again. */
  dead_probe_ms: z.int().min(10).default(30_000),
  gc_interval_ms: z.int().min(10).default(30_000),
  gc_batch: z.int().min(1).default(500),
  delivered_retention_s: z
    .int()
    .min(0)
    .default(24 * 3600),
  audit_retention_days: z.int().min(1).default(90),
  audit_max_rows: z.int().min(100).default(1_000_000),
  chat_timeout_ms: z.int().min(100).default(600_000),
  chat_stream_bytes: z
    .int()
    .min(1024)
    .default(8 * 1024 * 1024),
  health_timeout_ms: z.int().min(50).default(2000),
  health_cache_ms: z.int().min(0).default(5000),
  /** WhatsApp's pair rate: one message per user about every 6 s (error 131056 beyond it). */
  whatsapp_send_interval_ms: z.int().min(0).default(6000),
});

export type MeshLimits = z.output<typeof meshLimitsSchema>;

export const defaultLimits = (overrides: Partial<MeshLimits> = {}): MeshLimits =>
  meshLimitsSchema.parse(overrides);
