import { z } from "zod";
import { MeshRoutes } from "../../../common/contracts/mesh-routes.js";
import { defineTool } from "../types.js";

const KEY_HINT =
  "Keys start with tasks/, context/, signals/ or history/ (append-only), e.g. context/findings/q3";

export const readSharedStateTool = defineTool({
  name: "read_shared_state",
  description: `Read one entry of the shared blackboard (value, version, who wrote it). ${KEY_HINT}.`,
  input: z.strictObject({ key: z.string().min(1).max(256) }),
  async run(args, ctx) {
    return ctx.mesh.call(MeshRoutes.blackboardRead, { params: { "*": args.key } }, { signal: ctx.signal });
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
    const { key, ...body } = args;
    return ctx.mesh.call(MeshRoutes.blackboardWrite, { params: { "*": key }, body }, { signal: ctx.signal });
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
    const query = { prefix: args.prefix ?? "", after: args.after || undefined, limit: args.limit ?? 50 };
    return ctx.mesh.call(MeshRoutes.blackboardList, { query }, { signal: ctx.signal });
  },
});

export const publishEventTool = defineTool({
  name: "publish_event",
  description: "Publish an event on a mesh topic; subscribed agents receive it in their inbox.",
  input: z.strictObject({ topic: z.string().min(1).max(128), payload: z.json() }),
  async run(args, ctx) {
    return ctx.mesh.call(MeshRoutes.publish, { body: args }, { signal: ctx.signal });
  },
});
