import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** How far up from this file we look for the package root (source: 2 levels, dist/: 3). */
const MAX_DEPTH = 6;

let cached: string | undefined;

/**
 * The directory holding OpenLegion's own package.json, found by walking up from this module. Works
 * from the TypeScript sources (tests) and from the compiled dist/ tree alike.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < MAX_DEPTH; i++) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readManifest(manifest).name === "openlegion") {
      cached = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error("openlegion: cannot find the package root (package.json named openlegion)");
}

function readManifest(path: string): { name?: unknown; version?: unknown } {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

export function packageVersion(): string {
  const { version } = readManifest(join(packageRoot(), "package.json"));
  return typeof version === "string" ? version : "0.0.0";
}

export const templatesRoot = (): string => join(packageRoot(), "templates");
