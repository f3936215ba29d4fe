import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { COMPOSE_FILE, parseRendered } from "../render/index.js";
import { FleetErrors } from "./errors.js";

/** What the lifecycle needs from the rendered docker-compose.yml. */
export interface RenderedFleet {
  /** Compose service names in file order. */
  services: string[];
  /** service → io.openlegion.config-hash label. */
  hashes: Map<string, string>;
  /** service → agent id (agents only). */
  agents: Map<string, string>;
  /** Distinct images the file names. */
  images: string[];
}

/** Reads docker-compose.yml of a fleet; FleetErrors.notRendered when it is absent. */
export async function readRendered(dir: string): Promise<RenderedFleet> {
  let text: string;
  try {
    text = await readFile(join(dir, COMPOSE_FILE), "utf8");
  } catch {
    throw FleetErrors.notRendered(
      `no ${COMPOSE_FILE} in ${dir}: run openlegion render (or openlegion up) there first`,
    );
  }
  return summarize(parseRendered(text));
}

export function summarize(file: {
  services?: Record<string, { image?: string; labels?: Record<string, string> }>;
}): RenderedFleet {
  const services = Object.keys(file.services ?? {});
  const hashes = new Map<string, string>();
  const agents = new Map<string, string>();
  const images = new Set<string>();
  for (const name of services) {
    const s = file.services?.[name];
    const hash = s?.labels?.["io.openlegion.config-hash"];
    if (hash) hashes.set(name, hash);
    const agent = s?.labels?.["io.openlegion.agent"];
    if (agent) agents.set(name, agent);
    if (s?.image) images.add(s.image);
  }
  return { services, hashes, agents, images: [...images] };
}

/** `logs assistant` → agent-assistant; service names pass through; anything else is a usage error. */
export function resolveService(fleet: RenderedFleet, name: string): string {
  if (fleet.services.includes(name)) return name;
  for (const [service, agent] of fleet.agents) if (agent === name) return service;
  throw FleetErrors.unknownService(
    `no service or agent "${name}" in this fleet; known: ${[...fleet.agents.values(), ...fleet.services.filter((s) => !fleet.agents.has(s))].join(", ")}`,
  );
}
