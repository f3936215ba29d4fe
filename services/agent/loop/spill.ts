import { constants } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { planCap, renderCapped } from "../core/cap-result.js";
import { openConfined, resolveInRoot } from "../tools/fs/safe-path.js";

export const SPILL_DIR = "tmp/tool-results";

/**
 * Caps a tool result for the transcript; when it is too long the full text goes to
 * /data/tmp/tool-results/<call id>.txt (through the same confinement as write_file, since the agent
 * controls /data/tmp) and the transcript gets head + tail + a pointer.
 */
export async function capAndSpill(
  dataRoot: string,
  callId: string,
  text: string,
  maxChars: number,
): Promise<string> {
  const plan = planCap(text, maxChars);
  if (!plan.capped) return text;
  const safeId = callId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 80) || "result";
  let pointer: string | undefined;
  try {
    const resolved = await resolveInRoot(dataRoot, `${SPILL_DIR}/${safeId}.txt`);
    await mkdir(dirname(resolved.abs), { recursive: true });
    const handle = await openConfined(
      dataRoot,
      resolved,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
      0o600,
    );
    try {
      await handle.writeFile(text, "utf8");
    } finally {
      await handle.close();
    }
    pointer = `/data/${resolved.rel}`;
  } catch {
    pointer = undefined;
  }
  return renderCapped(plan, pointer);
}
