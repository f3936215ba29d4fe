import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { isMap, parseDocument } from "yaml";
import { operatorToken } from "../../../services/common/tokens.js";
import { FakeLlm } from "./fake-llm.js";
import {
  cli,
  containerOf,
  docker,
  freePort,
  ipOn,
  ROOT,
  tempFleetDir,
  uniqueProject,
  waitFor,
} from "./fleet.js";

export const FAKE_PORT = 8080;

/**
 * Sets keys in a fleet's config/mesh.yaml, merging into the mappings init wrote (its `egress:` block
 * holds the pool init picked) so that a test never writes a key twice; comments are kept.
 */
export function patchMeshYaml(dir: string, patch: Record<string, unknown>): void {
  const file = join(dir, "config", "mesh.yaml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  const put = (path: string[], value: unknown): void => {
    const current = doc.getIn(path);
    if (value && typeof value === "object" && !Array.isArray(value) && isMap(current)) {
      for (const [k, v] of Object.entries(value)) put([...path, k], v);
    } else doc.setIn(path, value);
  };
  for (const [k, v] of Object.entries(patch)) put([k], v);
  writeFileSync(file, doc.toString());
}
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

const LOCK_PREFIX = "ole2e-tsc-";

/** Lock directories of earlier vitest runs whose parent process is gone. */
function removeStaleLocks(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(LOCK_PREFIX)) continue;
    const pid = Number(name.slice(LOCK_PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.ppid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH")
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/**
 * Compiles dist/ once per vitest run: e2e files run in parallel worker processes (same parent), and
 * two concurrent `tsc` writing the same files would let a CLI read a half-written module.
 */
export async function buildDistOnce(): Promise<void> {
  removeStaleLocks();
  const lock = join(tmpdir(), `${LOCK_PREFIX}${process.ppid}`);
  const done = join(lock, "done");
  try {
    mkdirSync(lock);
  } catch {
    await waitFor(
      "dist/ built by another e2e file",
      async () => (existsSync(done) ? true : undefined),
      300_000,
    );
    return;
  }
  // tsc emits even with type errors elsewhere in the tree; what matters is a fresh dist/.
  await execa(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
    cwd: ROOT,
    reject: false,
    timeout: 300_000,
  });
  writeFileSync(done, "");
  if (!statSync(join(ROOT, "dist/generator/cli/main.js")).isFile()) throw new Error("tsc produced no CLI");
}

/** The fake provider runs from its TypeScript source inside the agent image (Node and zod are there). */
function overrideFile(): string {
  const src = join(ROOT, "tests", "fakes", "llm-provider");
  return `services:
  fake-llm:
    image: openlegion/agent:${VERSION}
    command: ["node", "/app/fake/llm-provider/main.ts"]
    environment:
      PORT: "${FAKE_PORT}"
      HOST: "0.0.0.0"
      FAKE_CONTROL: "1"
    volumes:
      - "${src}:/app/fake/llm-provider:ro"
    networks: [egress]
    healthcheck:
      disable: true
    labels:
      io.openlegion.test: "fake-llm"
  public-standin:
    image: openlegion/agent:${VERSION}
    command: ["node", "-e", "require('node:http').createServer((q,s)=>s.end('public')).listen(8081)"]
    networks: [egress]
    healthcheck:
      disable: true
`;
}

/** A fleet in a temp dir whose `openai` provider is the fake LLM container on the egress network. */
export class E2eFleet {
  readonly dir = tempFleetDir();
  readonly project = uniqueProject();
  readonly env: Record<string, string>;
  masterKey = "";
  meshPort = 0;
  #fakeUrl = "";
  readonly fake = new FakeLlm(() => this.#fakeUrl);

  constructor(readonly providerKey: string) {
    this.env = { COMPOSE_PROJECT_NAME: this.project, OPENAI_KEY: providerKey };
  }

  /** `init --template <t>`, a free mesh port, the provider override and the fake's Compose override. */
  async init(template: string): Promise<void> {
    await buildDistOnce();
    const init = await cli(
      ["init", this.dir, "--template", template, "--yes", "--api-key-env", "OPENAI_KEY"],
      this.env,
    );
    if (init.code !== 0) throw new Error(`init: ${init.stdout}${init.stderr}`);
    const meshPort = await freePort();
    this.meshPort = meshPort;
    const meshYaml = join(this.dir, "config", "mesh.yaml");
    const text = readFileSync(meshYaml, "utf8").replace(/port: \d+/, `port: ${meshPort}`);
    writeFileSync(
      meshYaml,
      `${text}\nproviders:\n  openai:\n    api: openai\n    base_url: "http://fake-llm:${FAKE_PORT}"\n`,
    );
    writeFileSync(join(this.dir, "docker-compose.override.yml"), overrideFile());
    this.masterKey =
      /OPENLEGION_MASTER_KEY=(\S+)/.exec(readFileSync(join(this.dir, ".env"), "utf8"))?.[1] ?? "";
    if (!this.masterKey) throw new Error("init wrote no master key to .env");
  }

  cli = (args: string[]) => cli(args, this.env);

  /** The mesh's operator API on its published loopback port, with the operator token (as the CLI does). */
  async operator(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
    const res = await fetch(`http://127.0.0.1:${this.meshPort}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${operatorToken(this.masterKey)}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: await res.text() };
  }
  container = (service: string) => containerOf(this.project, service);

  /** Finds the fake's current address (after up) and waits until it answers. */
  async locateFake(): Promise<void> {
    this.#fakeUrl = `http://${await ipOn(await this.container("fake-llm"), "_egress")}:${FAKE_PORT}`;
    await waitFor("fake provider", async () => ((await this.fake.health()) ? true : undefined), 60_000);
  }

  compose(...args: string[]) {
    return execa("docker-compose", ["-p", this.project, ...args], {
      cwd: this.dir,
      reject: false,
      timeout: 300_000,
    });
  }

  /** `down --volumes`; when the CLI itself fails, removes what the project created by its Compose label. */
  async destroy(): Promise<void> {
    const down = await this.cli(["down", this.dir, "--volumes", "--yes"]);
    if (down.code !== 0) {
      const label = `label=com.docker.compose.project=${this.project}`;
      const list = async (...args: string[]) =>
        (await docker([...args, "-q", "--filter", label], true)).split("\n").filter(Boolean);
      const ids = await list("ps", "-a");
      if (ids.length > 0) await docker(["rm", "-f", ...ids], true);
      const nets = await list("network", "ls");
      if (nets.length > 0) await docker(["network", "rm", ...nets], true);
      const vols = await list("volume", "ls");
      if (vols.length > 0) await docker(["volume", "rm", ...vols], true);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Calls the mesh from inside `container` with `token` (the test reads tokens from the agents' secret
 * files with `docker exec`; agents cannot). Prints "<status> <body>".
 */
export function meshCallScript(method: string, path: string, token: string, body?: unknown): string {
  const init = JSON.stringify({
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return `fetch("http://mesh:8420${path}",{...${init},signal:AbortSignal.timeout(10000)}).then(async r=>{process.stdout.write(r.status+" "+(await r.text()))},e=>{process.stdout.write("error "+e.message)})`;
}
