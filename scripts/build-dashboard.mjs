// Bundles the dashboard (services/mesh/dashboard-ui/) into static assets the mesh serves and its
// image ships: dist/services/mesh/modules/dashboard/assets/{app.js,app.css}. Run by `npm run build`
// after tsc; tests call buildDashboard(outDir) to bundle into a temp dir.

import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
export const defaultOutDir = `${root}dist/services/mesh/modules/dashboard/assets`;

export async function buildDashboard(outdir = defaultOutDir) {
  const result = await build({
    entryPoints: { app: `${root}services/mesh/dashboard-ui/main.js` },
    bundle: true,
    minify: true,
    format: "esm",
    target: ["chrome110", "firefox115", "safari16"],
    outdir,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  return Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, o]) => [file.split("/").at(-1), o.bytes]),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await buildDashboard(process.argv[2]);
  for (const [file, bytes] of Object.entries(sizes))
    console.log(`dashboard ${file} ${(bytes / 1024).toFixed(1)} KiB`);
}
