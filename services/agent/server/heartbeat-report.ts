import { lstat, opendir } from "node:fs/promises";
import type { HeartbeatProbeReport, HeartbeatReport } from "../../common/contracts/mesh-api.js";
import type { Workspace } from "../state/workspace.js";
import { resolveInRoot } from "../tools/fs/safe-path.js";
import { type HeartbeatProbeDecl, parseHeartbeatMd } from "./heartbeat-md.js";

export const HEARTBEAT_FILE = "HEARTBEAT.md";
/** Entries counted per `dir_not_empty` directory (the probe only needs "any"). */
const DIR_COUNT_CAP = 1_000;

const message = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).slice(0, 300);

/** Stat / count one file probe, confined to the data root (a symlink out of /data is refused). */
async function evaluate(root: string, decl: HeartbeatProbeDecl): Promise<HeartbeatProbeReport> {
  if (decl.kind === "blackboard_key" || decl.kind === "inbox_over") return decl;
  try {
    const resolved = await resolveInRoot(root, decl.path);
    if (decl.kind === "file_changed") {
      if (!resolved.exists) return { kind: decl.kind, path: decl.path, mtime_ms: null };
      const st = await lstat(resolved.abs);
      return { kind: decl.kind, path: decl.path, mtime_ms: Math.floor(st.mtimeMs) };
    }
    if (!resolved.exists) return { kind: decl.kind, path: decl.path, entries: null };
    const dir = await opendir(resolved.abs);
    let entries = 0;
    try {
      for await (const _ of dir) if (++entries >= DIR_COUNT_CAP) break;
    } finally {
      await dir.close().catch(() => {});
    }
    return { kind: decl.kind, path: decl.path, entries };
  } catch (error) {
    return decl.kind === "file_changed"
      ? { kind: decl.kind, path: decl.path, mtime_ms: null, error: message(error) }
      : { kind: decl.kind, path: decl.path, entries: null, error: message(error) };
  }
}

/**
 * The `heartbeat` field of `/healthz`: HEARTBEAT.md's declared probes (read through the workspace,
 * cached by file identity) with the file kinds evaluated. null when there is no probe block.
 */
export async function heartbeatReport(workspace: Workspace): Promise<HeartbeatReport | null> {
  const text = await workspace.read(HEARTBEAT_FILE);
  if (text === undefined) return null;
  const parsed = parseHeartbeatMd(text);
  if (!parsed) return null;
  const probes = await Promise.all(parsed.probes.map((d) => evaluate(workspace.root, d)));
  return { probes, errors: parsed.errors };
}
