import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import type { FleetConfig } from "../config/schemas/fleet.js";
import {
  type FleetPackages,
  fleetPackages,
  npmManifest,
  PACKAGES_LOCK_FILE,
  packagesImageRef,
} from "../render/packages.js";
import { lastLines } from "./compose.js";
import { FleetErrors } from "./errors.js";
import type { DockerHost } from "./host.js";
import { imageRef } from "./images.js";

/**
 * config/packages.lock.json: what was asked for, and what `openlegion build` baked for it (every
 * Debian package asked for at its installed version, npm's own package-lock). While `request` equals
 * the fleet's packages the next build installs exactly these versions.
 */
export const packagesLockSchema = z.strictObject({
  version: z.literal(1),
  request: z.strictObject({ apt: z.array(z.string()), npm: z.array(z.string()) }),
  apt: z.record(z.string(), z.string()),
  npm_lock: z.record(z.string(), z.unknown()).nullable(),
});
export type PackagesLock = z.output<typeof packagesLockSchema>;

/** apt.txt lines: each package at its locked version unless the config pins one itself. */
export function aptLines(request: FleetPackages, lock: PackagesLock | undefined): string[] {
  return request.apt.map((spec) => {
    if (spec.includes("=") || !lock) return spec;
    const pinned = lock.apt[spec];
    return pinned ? `${spec}=${pinned}` : spec;
  });
}

/** `name=version` lines of dpkg-query → a record. */
export function parseAptLock(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

async function readLock(fleetDir: string): Promise<PackagesLock | undefined> {
  const path = join(fleetDir, PACKAGES_LOCK_FILE);
  if (!existsSync(path)) return undefined;
  const parsed = packagesLockSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
  if (!parsed.success)
    throw FleetErrors.buildFailed(
      `${PACKAGES_LOCK_FILE} is not a packages lock (${parsed.error.issues[0]?.message}): delete it and build again to re-pin`,
    );
  return parsed.data;
}

export interface PackagesImageOptions {
  root: string;
  fleetDir: string;
  fleet: FleetConfig;
  version: string;
  nodeImage: string;
  noCache: boolean;
  write: (text: string) => void;
}

/**
 * Builds the fleet's derived agent image (packages from npm and Debian, at the locked versions when
 * the lock matches) and writes the lock of what it baked. Undefined when no agent asks for packages.
 */
export async function buildPackagesImage(
  host: DockerHost,
  o: PackagesImageOptions,
): Promise<{ ref: string; bytes: number } | undefined> {
  const request = fleetPackages(o.fleet.agents);
  if (!request) return undefined;
  const ref = packagesImageRef(request, o.version);
  const existing = await readLock(o.fleetDir);
  const lock = existing && isDeepStrictEqual(existing.request, request) ? existing : undefined;
  o.write(
    `▸ building ${ref}: ${request.npm.length} npm and ${request.apt.length} Debian package(s)${lock ? ` pinned by ${PACKAGES_LOCK_FILE}` : existing ? ` (the request changed: re-pinning ${PACKAGES_LOCK_FILE})` : ""}\n`,
  );
  const ctx = await mkdtemp(join(tmpdir(), "openlegion-packages-"));
  try {
    await cp(join(o.root, "images", "packages.Dockerfile"), join(ctx, "Dockerfile"));
    await writeFile(join(ctx, "package.json"), `${JSON.stringify(npmManifest(request), null, 2)}\n`);
    if (lock?.npm_lock) await writeFile(join(ctx, "package-lock.json"), JSON.stringify(lock.npm_lock));
    const apt = aptLines(request, lock);
    await writeFile(join(ctx, "apt.txt"), apt.length ? `${apt.join("\n")}\n` : "");
    const args = [
      "build",
      "-t",
      ref,
      "--label",
      `io.openlegion.version=${o.version}`,
      "--build-arg",
      `BASE=${imageRef("agent", o.version)}`,
      "--build-arg",
      `NODE_IMAGE=${o.nodeImage}`,
      ...(o.noCache ? ["--no-cache"] : []),
      ".",
    ];
    const r = await host.exec("docker", args, {
      cwd: ctx,
      timeoutMs: 30 * 60_000,
      onLine: (line) => {
        if (/^(Step \d+\/\d+ : |#\d+ \[)/.test(line)) o.write(`    ${line.slice(0, 110)}\n`);
      },
    });
    if (r.exitCode !== 0)
      throw FleetErrors.buildFailed(
        `building ${ref} failed (exit ${r.exitCode}):\n${lastLines(r.stderr || r.stdout, 20)}`,
      );
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
  const read = async (file: string) =>
    (
      await host.docker([
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "cat",
        ref,
        `/opt/openlegion/${file}`,
      ])
    ).stdout;
  const npmLock = request.npm.length
    ? (JSON.parse(await read("packages/package-lock.json")) as object)
    : null;
  const next: PackagesLock = {
    version: 1,
    request,
    apt: parseAptLock(await read("apt.lock")),
    npm_lock: npmLock as PackagesLock["npm_lock"],
  };
  if (!isDeepStrictEqual(next, existing)) {
    await writeFile(join(o.fleetDir, PACKAGES_LOCK_FILE), `${JSON.stringify(next, null, 2)}\n`);
    o.write(`  pinned in ${PACKAGES_LOCK_FILE} (commit it)\n`);
  }
  const bytes = (await host.imageSize(ref)) ?? 0;
  return { ref, bytes };
}

/** The fleet's derived agent image, when `dir` is a fleet whose agents ask for packages. */
export async function bakeFleetPackages(
  host: DockerHost,
  dir: string,
  o: Omit<PackagesImageOptions, "fleetDir" | "fleet">,
): Promise<{ ref: string; bytes: number } | undefined> {
  if (!existsSync(join(dir, "config", "agents.yaml"))) return undefined;
  const { loadFleet } = await import("../config/load.js");
  return buildPackagesImage(host, { ...o, fleetDir: dir, fleet: await loadFleet(dir) });
}
