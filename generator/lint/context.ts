import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import { RenderErrors } from "../render/errors.js";
import { COMPOSE_FILE } from "../render/outputs.js";
import { SECRETS_DIR } from "../render/secrets.js";
import { parseRendered } from "../render/serialize.js";
import type { LintContext } from "./types.js";

/** IPv4 route destinations of the host, skipping Docker's own bridges and the default route. */
export async function hostRoutes(): Promise<string[]> {
  const result = await execa("ip", ["-4", "route", "show"], { reject: false, timeout: 5_000 });
  if (result.exitCode !== 0) return [];
  return parseRoutes(String(result.stdout));
}

export function parseRoutes(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const [dest] = line.trim().split(/\s+/);
    const dev = /\bdev\s+(\S+)/.exec(line)?.[1] ?? "";
    if (!dest || dest === "default" || /^(docker|br-|veth)/.test(dev)) continue;
    out.push(dest.includes("/") ? dest : `${dest}/32`);
  }
  return out;
}

async function gitTrackedSecrets(dir: string): Promise<string[]> {
  const result = await execa("git", ["ls-files", "--", SECRETS_DIR], {
    cwd: dir,
    reject: false,
    timeout: 10_000,
  });
  if (result.exitCode !== 0) return [];
  return String(result.stdout).split("\n").filter(Boolean);
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}

async function readYaml(path: string): Promise<unknown> {
  try {
    return parse(await readFile(path, "utf8"));
  } catch {
    return undefined;
  }
}

/** Gathers what the rules look at from the fleet directory. Throws when docker-compose.yml is absent. */
export async function gatherContext(dir: string, strict: boolean): Promise<LintContext> {
  let text: string;
  try {
    text = await readFile(join(dir, COMPOSE_FILE), "utf8");
  } catch (err) {
    throw RenderErrors.composeUnreadable(
      `cannot read ${COMPOSE_FILE} in ${dir} (run openlegion render first)`,
      { cause: err },
    );
  }
  const [proxyConfig, rawAgents, trackedSecrets, routes] = await Promise.all([
    readJson(join(dir, "compose/egress-proxy/config.json")),
    readYaml(join(dir, "config/agents.yaml")),
    gitTrackedSecrets(dir),
    hostRoutes(),
  ]);
  return {
    compose: parseRendered(text) as unknown as Record<string, unknown>,
    text,
    proxyConfig,
    rawAgents,
    trackedSecrets,
    hostRoutes: routes,
    overrideFile: existsSync(join(dir, "docker-compose.override.yml")),
    strict,
  };
}
