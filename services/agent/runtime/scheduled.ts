import { type InboxMessage, scheduleFireSchema, type ToolJob } from "../../common/contracts/mesh-api.js";

/** A mesh message that is one fire of a schedule (its id, and its tool job if any) or a heartbeat wake. */
export interface Scheduled {
  schedule: string | null;
  tool: ToolJob | null;
}

const parsed = (payload: unknown): unknown => {
  if (typeof payload !== "string") return payload;
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
};

/** Recognises the mesh's schedule fires and heartbeat wakes; anything else is undefined. */
export function scheduledOf(m: InboxMessage): Scheduled | undefined {
  if (m.from !== "mesh") return undefined;
  const payload = parsed(m.payload);
  const fire = scheduleFireSchema.safeParse(payload);
  if (fire.success) return { schedule: fire.data.schedule, tool: fire.data.tool };
  const type = (payload as { type?: unknown } | null)?.type;
  return type === "heartbeat" ? { schedule: null, tool: null } : undefined;
}
