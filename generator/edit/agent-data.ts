import { agentServiceName } from "../../services/common/ports.js";
import { DockerHost } from "../docker/host.js";
import { projectName } from "../docker/project.js";
import { readTokenGenerations } from "../render/local-state.js";
import { TOKEN_GENERATIONS_FILE } from "../render/secrets.js";
import { dataVolume } from "../render/services.js";

/**
 * What `agent remove` does beyond the config files (finding 9): the agent's token generation is bumped, so a
 * re-added agent of the same name gets a new token and the removed one's copy is refused by mesh and proxy;
 * and its /data volume is deleted, so a re-added agent never reads the old one's memory.
 */
export function bumpedGenerations(dir: string, id: string): { path: string; content: string } {
  const generations = { ...readTokenGenerations(dir) };
  generations[id] = (generations[id] ?? 0) + 1;
  const sorted = Object.fromEntries(Object.entries(generations).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { path: TOKEN_GENERATIONS_FILE, content: `${JSON.stringify(sorted, null, 2)}\n` };
}

/** The Compose volume holding the agent's /data (`<project>_<service>-data`, both Compose dialects). */
export const agentVolumeName = (project: string, id: string): string =>
  `${project}_${dataVolume(agentServiceName(id))}`;

/**
 * Removes the agent's container (it holds the volume) and its data volume. Returns what happened, for the
 * user; without a reachable Docker engine nothing is deleted and the message says which volume remains.
 */
export async function deleteAgentData(
  dir: string,
  id: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ deleted: boolean; volume: string; note?: string }> {
  const project = projectName(dir, env);
  const volume = agentVolumeName(project, id);
  let host: DockerHost;
  try {
    host = await DockerHost.open(env);
  } catch {
    return {
      deleted: false,
      volume,
      note: `no Docker engine answered; delete it with: docker volume rm ${volume}`,
    };
  }
  const service = agentServiceName(id);
  const containers = (await host.containers(project)).filter((c) => c.service === service);
  if (containers.length > 0) await host.docker(["rm", "-f", ...containers.map((c) => c.id)], true);
  const exists = (await host.docker(["volume", "inspect", volume], true)).exitCode === 0;
  if (!exists) return { deleted: false, volume, note: "no such volume (never started, or already gone)" };
  await host.docker(["volume", "rm", volume]);
  return { deleted: true, volume };
}
