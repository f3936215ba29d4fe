import { z } from "zod";
import { agentId, duration, glob } from "./primitives.js";

/** File watchers (`watchers.yaml`), shared by the generator and the mesh. */
export const watcherSchema = z.strictObject({
  path: z.string().min(1).describe("Directory to poll (mounted read-only into the mesh)."),
  pattern: glob.default("*").describe('File-name glob, e.g. "*.csv".'),
  agent: agentId.describe("Agent that receives the message."),
  message: z.string().min(1).max(10_000).describe("Message template; {filename} and {path} are replaced."),
  interval: duration.default("10s").describe("Polling interval."),
});

export const watchersFileSchema = z.strictObject({
  watchers: z.array(watcherSchema).max(256).default([]).describe("File watchers."),
});

export type WatcherConfig = z.output<typeof watcherSchema>;
export type WatchersFile = z.output<typeof watchersFileSchema>;

/**
 * A watcher as the compiled mesh config carries it: the renderer adds `mount`, where the watched
 * directory appears inside the mesh container.
 */
export const meshWatcherSchema = watcherSchema.extend({
  mount: z.string().min(1).optional(),
});
