import { createHash } from "node:crypto";
import { compareAscii } from "../../services/common/canonical-json.js";
import type { ResolvedAgent } from "../config/schemas/fleet.js";

/** What `image: toolbox` adds to the agent image (Debian packages; issue 18 item 4). */
export const TOOLBOX_APT = [
  "build-essential",
  "ca-certificates",
  "curl",
  "git",
  "jq",
  "python3",
  "python3-pip",
  "python3-venv",
  "ripgrep",
  "sqlite3",
];
export const TOOLBOX_IMAGE = "toolbox";

/** Debian and npm packages baked into the fleet's derived agent image. */
export interface FleetPackages {
  apt: string[];
  npm: string[];
}

/** Where `openlegion build` pins what it baked, next to the config (commit it). */
export const PACKAGES_LOCK_FILE = "config/packages.lock.json";
export const PACKAGES_IMAGE_REPO = "openlegion/agent-packages";

/** One agent's packages: image_packages, its MCP servers' `package`, and the toolbox profile. */
export function agentPackages(a: ResolvedAgent): FleetPackages {
  return {
    apt: [...(a.image === TOOLBOX_IMAGE ? TOOLBOX_APT : []), ...(a.image_packages?.apt ?? [])],
    npm: [...(a.image_packages?.npm ?? []), ...a.mcp_servers.flatMap((s) => (s.package ? [s.package] : []))],
  };
}

export const needsPackages = (a: ResolvedAgent): boolean => {
  const p = agentPackages(a);
  return p.apt.length + p.npm.length > 0;
};

const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort(compareAscii);

/** The union over the fleet (one derived image per fleet), or undefined when no agent asks for any. */
export function fleetPackages(agents: readonly ResolvedAgent[]): FleetPackages | undefined {
  const all = agents.map(agentPackages);
  const apt = sortedUnique(all.flatMap((p) => p.apt));
  const npm = sortedUnique(all.flatMap((p) => p.npm));
  return apt.length + npm.length > 0 ? { apt, npm } : undefined;
}

/** The derived image's reference: named by what was asked for, so render needs no lock to name it. */
export function packagesImageRef(p: FleetPackages, version: string): string {
  const digest = createHash("sha256").update(JSON.stringify(p)).digest("hex").slice(0, 12);
  return `${PACKAGES_IMAGE_REPO}:${version}-${digest}`;
}

/** `@scope/name@^1` → ["@scope/name", "^1"]; no version → "latest". */
export function splitNpmSpec(spec: string): [name: string, range: string] {
  const at = spec.indexOf("@", 1);
  return at < 0 ? [spec, "latest"] : [spec.slice(0, at), spec.slice(at + 1)];
}

/** The package.json the derived image installs from (its lock is the committed one when it matches). */
export function npmManifest(p: FleetPackages): {
  name: string;
  private: true;
  dependencies: Record<string, string>;
} {
  return {
    name: "openlegion-fleet-packages",
    private: true,
    dependencies: Object.fromEntries(p.npm.map(splitNpmSpec).sort(([a], [b]) => compareAscii(a, b))),
  };
}
