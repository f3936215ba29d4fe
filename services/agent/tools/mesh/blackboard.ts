import { z } from "zod";
import { defineTool } from "../types.js";
import { keyPath } from "./client.js";

const KEY_HINT =
  "Keys start with tasks/, context/, signals/ or history/ (append-only), e.g. context/findings/q3";

export const readSharedStateTool = defineTool({
  name: "read_shared_state",
  description: `Read one entry of the shared blackboard (value, version, who wrote it). ${KEY_HINT}.`,
  input: z.strictObject({ key: z.string().min(1).max(256) }),
  async run(args, ctx) {
    return (await ctx.mesh.call("GET", `/v1/blackboard/${keyPath(args.key)}`, undefined, ctx.signal)).body;
  },
});

export const writeSharedStateTool = defineTool({
  name: "write_shared_state",
  description: `Write a JSON value to the shared blackboard. Pass if_version for compare-and-set (0 = must not exist) and ttl_s to expire it. ${KEY_HINT}.`,
  input: z.strictObject({
    key: z.string().min(1).max(256),
    value: z.json(),
    if_version: z.int().min(0).optional(),
    ttl_s: z.int().min(1).optional(),
  }),
  async run(args, ctx) {
    const body: Record<string, unknown> = { value: args.value };
    if (args.if_version !== undefined) body.if_version = args.if_version;
    if (args.ttl_s !== undefined) body.ttl_s = args.ttl_s;
    const res = await ctx.mesh.call("PUT", `/v1/blackboard/${keyPath(args.key)}`, body, ctx.signal);
    return res.body;
  },
});

export const listSharedStateTool = defineTool({
  name: "list_shared_state",
  description: "List blackboard entries under a key prefix (paged: pass next_after as after).",
  input: z.strictObject({
    prefix: z.string().max(256).optional(),
    after: z.string().max(256).optional(),
    limit: z.int().min(1).max(100).optional(),
  }),
  async run(args, ctx) {
    const q = new URLSearchParams({ prefix: args.prefix ?? "" });
    if (args.after) q.set("after", args.after);
    q.set("limit", String(args.limit ?? 50));
    return (await ctx.mesh.call("GET", `/v1/blackboard?${q}`, undefined, ctx.signal)).body;
  },
});

export const publishEventTool = defineTool({
  name: "publish_event",
  description: "Publish an event on a mesh topic; subscribed agents receive it in their inbox.",
  input: z.strictObject({ topic: z.string().min(1).max(128), payload: z.json() }),
  async run(args, ctx) {
    return (
      await ctx.mesh.call("POST", "/v1/publish", { topic: args.topic, payload: args.payload }, ctx.signal)
    ).body;
  },
});
