import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { normalizeProjectName } from "./parse.js";

/**
 * The Compose project of a fleet directory: COMPOSE_PROJECT_NAME from the environment, else from the
 * fleet's .env, else the directory name — exactly what a plain `docker compose up` run in that
 * directory uses, so `openlegion status` and hand-run Compose see the same containers. The CLI always
 * passes it as `-p`, so v1 and v2 agree.
 */
export function projectName(dir: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  const fromEnv = env.COMPOSE_PROJECT_NAME?.trim();
  const name = fromEnv || dotEnvProject(dir) || basename(dir);
  return normalizeProjectName(name) || "openlegion";
}

function dotEnvProject(dir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, ".env"), "utf8").slice(0, 1024 * 1024);
  } catch {
    return undefined;
  }
  const m = /^COMPOSE_PROJECT_NAME=["']?([^"'\r\n]*)["']?\s*$/m.exec(text);
  return m?.[1]?.trim() || undefined;
}
