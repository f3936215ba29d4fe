import { resolve } from "node:path";
import { z } from "zod";
import { SERVICE_IMAGES } from "../../docker/images.js";
import { type CliIo, type CommandModule, EXIT_OK, EXIT_USAGE } from "../io.js";

/** `openlegion build [dir] [--no-cache] [--node-image IMG] [--runtime-image IMG] [--extra-ca-certs FILE]`. */
export interface BuildOptions {
  noCache: boolean;
  nodeImage?: string;
  runtimeImage?: string;
  extraCaCerts?: string;
  only?: (typeof SERVICE_IMAGES)[number][];
  /** The fleet directory: its agents' packages are baked into the fleet's derived agent image. */
  dir?: string;
  /** Registry host[:port] to tag and push the built images to (for Swarm nodes to pull). */
  push?: string;
}

const IMAGE_REF = /^[a-z0-9][a-z0-9._/:@-]{0,254}$/i;
const flagsSchema = z.strictObject({
  cache: z.boolean().default(true),
  nodeImage: z.string().regex(IMAGE_REF, "--node-image must be an image reference").optional(),
  runtimeImage: z.string().regex(IMAGE_REF, "--runtime-image must be an image reference").optional(),
  extraCaCerts: z.string().min(1).optional(),
  only: z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()))
    .pipe(z.array(z.enum(SERVICE_IMAGES)).min(1))
    .optional(),
  push: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]*(:\d{1,5})?(\/[a-z0-9._-]+)*$/i,
      "--push must be a registry like registry.example:5000",
    )
    .optional(),
});

export async function runBuild(opts: BuildOptions, io: CliIo): Promise<number> {
  const [{ DockerHost }, { buildImages, formatMb }, { packageRoot, packageVersion }] = await Promise.all([
    import("../../docker/host.js"),
    import("../../docker/build.js"),
    import("../../init/package-root.js"),
  ]);
  const host = await DockerHost.open(io.env);
  const version = packageVersion();
  const { images, bases } = await buildImages(host, {
    root: packageRoot(),
    version,
    noCache: opts.noCache,
    ...(opts.nodeImage ? { nodeImage: opts.nodeImage } : {}),
    ...(opts.runtimeImage ? { runtimeImage: opts.runtimeImage } : {}),
    ...(opts.extraCaCerts ? { extraCaCerts: opts.extraCaCerts } : {}),
    ...(opts.only ? { only: opts.only } : {}),
    write: (t) => io.stdout(t),
  });
  io.stdout(`✓ built ${images.map((i) => `${i.ref} (${formatMb(i.bytes)})`).join(", ")}\n`);
  if (opts.dir && (!opts.only || opts.only.includes("agent"))) {
    const { bakeFleetPackages } = await import("../../docker/packages-image.js");
    const baked = await bakeFleetPackages(host, opts.dir, {
      root: packageRoot(),
      version,
      nodeImage: bases.node,
      noCache: opts.noCache,
      write: (t) => io.stdout(t),
    });
    if (baked) io.stdout(`✓ built ${baked.ref} (${formatMb(baked.bytes)})\n`);
  }
  // Same repository path under the registry: nodes that use it as a registry mirror pull the
  // unchanged `openlegion/<service>:<version>` references of the stack file (docs/scale-out.md).
  for (const image of opts.push ? images : []) {
    const remote = `${opts.push}/${image.ref}`;
    await host.docker(["tag", image.ref, remote]);
    io.stdout(`pushing ${remote}\n`);
    await host.docker(["push", remote], false, 900_000);
  }
  if (opts.push) io.stdout(`✓ pushed ${images.length} image(s) to ${opts.push}\n`);
  return EXIT_OK;
}

export const buildCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("build")
      .description("build the agent, mesh and proxy images locally")
      .argument("[dir]", "fleet directory (images are built from the openlegion package itself)", ".")
      .option("--node-image <image>", "base Node.js image to build from (default node:24-bookworm-slim)")
      .option("--runtime-image <image>", "Debian image the services run on (default debian:bookworm-slim)")
      .option("--extra-ca-certs <file>", "PEM bundle to trust during image builds and at run time")
      .option("--no-cache", "rebuild every layer")
      .option("--only <images>", "comma-separated subset: mesh,egress-proxy,agent,browser")
      .option(
        "--push <registry>",
        "then tag and push each image as <registry>/openlegion/<service>:<version>",
      )
      .action(async (dir: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success) {
          io.stderr(`build: ${parsed.error.issues[0]?.message ?? "invalid flags"}\n`);
          setExit(EXIT_USAGE);
          return;
        }
        const f = parsed.data;
        setExit(
          await runBuild(
            {
              noCache: !f.cache,
              dir: resolve(io.cwd, dir),
              ...(f.nodeImage ? { nodeImage: f.nodeImage } : {}),
              ...(f.runtimeImage ? { runtimeImage: f.runtimeImage } : {}),
              ...(f.extraCaCerts ? { extraCaCerts: resolve(io.cwd, f.extraCaCerts) } : {}),
              ...(f.only ? { only: f.only } : {}),
              ...(f.push ? { push: f.push } : {}),
            },
            io,
          ),
        );
      });
  },
};
