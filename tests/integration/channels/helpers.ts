import { expect } from "vitest";
import { waitFor } from "../agent/mesh-stack.js";
import { OPERATOR } from "../mesh/helpers.js";

export interface ChannelRow {
  name: string;
  state: string;
  detail: string | null;
  owner: string | null;
  allowed: number;
  pending_codes: number;
}

/** `GET /v1/channels` as the CLI sees it. */
export async function channelRow(meshUrl: string, name: string): Promise<ChannelRow | undefined> {
  const res = await fetch(`${meshUrl}/v1/channels`, { headers: OPERATOR });
  expect(res.status).toBe(200);
  return ((await res.json()) as { channels: ChannelRow[] }).channels.find((c) => c.name === name);
}

export const waitForState = (meshUrl: string, name: string, state: string) =>
  waitFor(`${name} ${state}`, async () => {
    const row = await channelRow(meshUrl, name);
    return row?.state === state ? row : undefined;
  });

/** `POST /v1/channels/<name>/pair`, what `openlegion channels pair` calls. */
export async function pairCode(meshUrl: string, name: string): Promise<string> {
  const res = await fetch(`${meshUrl}/v1/channels/${name}/pair`, { method: "POST", headers: OPERATOR });
  expect(res.status).toBe(200);
  return ((await res.json()) as { code: string }).code;
}
