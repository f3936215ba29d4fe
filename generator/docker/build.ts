import { join } from "node:path";
import { lastLines } from "./compose.js";
import { FleetErrors } from "./errors.js";
import type { DockerHost } from "./host.js";
import {
  type BaseImages,
  EXTRA_CA_PATH,
  imageRef,
  missingDist,
  readCaBundle,
  removeContext,
  resolveBases,
  SERVICE_IMAGES,
  type ServiceImage,
  stageContext,
} from "./images.js";

export interface BuildImagesOptions {
  /** The openlegion package root (package.json, dist/, images/). */
  root: string;
  version: string;
  noCache: boolean;
  nodeImage?: string;
  runtimeImage?: string;
  extraCaCerts?: string;
  /** Default: every service image. */
  only?: readonly ServiceImage[];
  write: (text: string) => void;
}

export interface BuiltImage {
  service: ServiceImage;
  ref: string;
  bytes: number;
  seconds: number;
}

/** Step lines of both builders: "Step 12/51 : RUN …" (classic) and "#7 [deps 2/6] RUN …" (BuildKit). */
const STEP = /^(Step \d+\/\d+ : .*|#\d+ \[[^\]]+\] .*)$/;

/** Makes sure dist/ exists: compiles it in a source checkout, else explains. */
export async function ensureDist(host: DockerHost, root: string, write: (t: string) => void): Promise<void> {
  if (missingDist(root).length === 0) return;
  const { existsSync } = await import("node:fs");
  if (!existsSync(join(root, "tsconfig.json")) || !existsSync(join(root, "node_modules", "typescript"))) {
    throw FleetErrors.buildNoDist(
      `the compiled services are missing (${missingDist(root).join(", ")}) in ${root}: reinstall openlegion, or run npm run build there`,
    );
  }
  write("  compiling TypeScript (npm run build) …\n");
  const r = await host.exec("npm", ["run", "build", "--silent"], { cwd: root, timeoutMs: 10 * 60_000 });
  const still = missingDist(root);
  if (still.length > 0)
    throw FleetErrors.buildNoDist(
      `npm run build did not produce ${still.join(", ")}:\n${lastLines(r.stdout + r.stderr, 15)}`,
    );
}

/** Builds the service images from a staged context; Docker's layer cache makes rebuilds quick. */
export async function buildImages(
  host: DockerHost,
  opts: BuildImagesOptions,
): Promise<{ bases: BaseImages; images: BuiltImage[] }> {
  const ca = opts.extraCaCerts ? await readCaBundle(opts.extraCaCerts) : undefined;
  await ensureDist(host, opts.root, opts.write);
  const bases = await resolveBases(host, {
    root: opts.root,
    ...(opts.nodeImage ? { nodeImage: opts.nodeImage } : {}),
    ...(opts.runtimeImage ? { runtimeImage: opts.runtimeImage } : {}),
    ...(opts.extraCaCerts ? { caFile: opts.extraCaCerts } : {}),
    write: opts.write,
  });
  opts.write(`  bases: node ${bases.node}, runtime ${bases.runtime}\n`);
  const ctx = await stageContext(opts.root, ca);
  const images: BuiltImage[] = [];
  try {
    for (const service of opts.only ?? SERVICE_IMAGES) {
      const ref = imageRef(service, opts.version);
      const started = Date.now();
      opts.write(`▸ building ${ref}\n`);
      const args = [
        "build",
        "-f",
        "images/Dockerfile",
        "--target",
        service,
        "-t",
        ref,
        "--label",
        `io.openlegion.version=${opts.version}`,
        "--build-arg",
        `NODE_IMAGE=${bases.node}`,
        "--build-arg",
        `RUNTIME_BASE=${bases.runtime}`,
        ...(ca ? ["--build-arg", `EXTRA_CA_CERTS=${EXTRA_CA_PATH}`] : []),
        ...(opts.noCache ? ["--no-cache"] : []),
        ".",
      ];
      const r = await host.exec("docker", args, {
        cwd: ctx,
        timeoutMs: 30 * 60_000,
        onLine: (line) => {
          if (STEP.test(line)) opts.write(`    ${line.length > 110 ? `${line.slice(0, 107)}...` : line}\n`);
          else if (line.startsWith("prune-deps:")) opts.write(`    ${line}\n`);
        },
      });
      if (r.exitCode !== 0)
        throw FleetErrors.buildFailed(
          `building ${ref} failed (exit ${r.exitCode}):\n${lastLines(r.stderr || r.stdout, 20)}`,
        );
      const bytes = (await host.imageSize(ref)) ?? 0;
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      images.push({ service, ref, bytes, seconds });
      opts.write(`  ✓ ${ref}  ${formatMb(bytes)}  (${seconds}s)\n`);
    }
  } finally {
    await removeContext(ctx);
  }
  return { bases, images };
}

export const formatMb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
