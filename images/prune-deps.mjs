// Keeps in node_modules only what one service image needs, then strips files nothing loads at run time.
// Usage (inside the image build): node prune-deps.mjs <node_modules> <dir with the service's .js> ...
// 1. The entry packages are the bare specifiers imported by the service's compiled files.
// 2. Their closure follows dependencies, optionalDependencies and installed peerDependencies,
//    resolved the way Node does (nested node_modules first, then the top level).
// 3. Every top-level package outside the closure is deleted; so are docs, sources, type
//    declarations, source maps and native binaries for other platforms.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";

const [modules, ...roots] = process.argv.slice(2);
if (!modules || roots.length === 0) {
  process.stderr.write("usage: prune-deps.mjs <node_modules> <dir>...\n");
  process.exit(2);
}
const builtins = new Set(builtinModules);
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"'./][^"']*)["']/g;

const packageOf = (spec) => {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
};

function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (/\.(m?js|cjs)$/.test(entry.name)) yield path;
  }
}

const entry = new Set();
for (const root of roots) {
  for (const file of jsFiles(root)) {
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = m[1];
      if (spec.startsWith("node:") || builtins.has(spec) || builtins.has(packageOf(spec))) continue;
      entry.add(packageOf(spec));
    }
  }
}

/** Directory of `name` as seen from package directory `from` (Node's lookup, nested first). */
function resolvePackage(name, from) {
  let dir = from;
  while (dir.startsWith(modules)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === modules) break;
    dir = dirname(dir);
  }
  const top = join(modules, name);
  return existsSync(join(top, "package.json")) ? top : undefined;
}

const keep = new Set();
const queue = [];
for (const name of entry) {
  const dir = resolvePackage(name, modules);
  if (dir) queue.push(dir);
  else process.stderr.write(`prune-deps: warning: ${name} is imported but not installed\n`);
}
while (queue.length > 0) {
  const dir = queue.pop();
  if (keep.has(dir)) continue;
  keep.add(dir);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const names = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ];
  for (const name of names) {
    const found = resolvePackage(name, dir);
    if (found) queue.push(found);
  }
}

const topLevel = [];
for (const name of readdirSync(modules)) {
  if (name === ".bin" || name === ".package-lock.json") continue;
  if (name.startsWith("@"))
    for (const sub of readdirSync(join(modules, name))) topLevel.push(`${name}/${sub}`);
  else topLevel.push(name);
}
let removed = 0;
for (const name of topLevel) {
  const dir = join(modules, name);
  const kept = [...keep].some((k) => k === dir || k.startsWith(`${dir}/`));
  if (!kept) {
    rmSync(dir, { recursive: true, force: true });
    removed++;
  }
}
rmSync(join(modules, ".bin"), { recursive: true, force: true });

// Files no service loads: docs, TypeScript sources and declarations, maps, tests, C sources.
const JUNK_FILE =
  /(\.d\.[cm]?ts|\.map|\.md|\.markdown|\.ts|\.tsx|\.flow|\.coffee|\.gyp|\.gypi|\.cc|\.c|\.h|\.hpp)$|^(CHANGELOG|HISTORY|AUTHORS|CONTRIBUTING)(\..*)?$/i;
// Directory names only: "doc"/"docs"/"test" are real code in some packages (yaml has dist/doc/).
const JUNK_DIR = new Set(["__tests__", "example", "examples", "benchmark", "benchmarks", ".github"]);
const platform = `${process.platform}-${process.arch}`;
let junk = 0;
function clean(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (JUNK_DIR.has(entry.name)) {
        rmSync(path, { recursive: true, force: true });
        junk++;
      } else clean(path);
    } else if (JUNK_FILE.test(entry.name)) {
      rmSync(path, { force: true });
      junk++;
    } else if (
      entry.name.endsWith(".node") &&
      dirname(path).endsWith("prebuilds") &&
      entry.name !== `${platform}.node`
    ) {
      rmSync(path, { force: true });
      junk++;
    }
  }
}
// better-sqlite3 carries the SQLite amalgamation and its C++ sources for rebuilding; the prebuilt binary is enough.
for (const dir of ["better-sqlite3/deps", "better-sqlite3/src"])
  rmSync(join(modules, dir), { recursive: true, force: true });
clean(modules);
const size = (dir) => {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? size(path) : statSync(path).size;
  }
  return total;
};
process.stdout.write(
  `prune-deps: kept ${keep.size} packages for ${[...entry].sort().join(", ")}; removed ${removed} top-level packages and ${junk} junk entries; ${(size(modules) / 1e6).toFixed(1)} MB left\n`,
);
