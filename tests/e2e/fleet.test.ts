/**
 * The running fleet, end to end, in real Docker (issue 8): init → render → build → up → chat through
 * the mesh with the fake LLM provider as a container on the egress network → costs → budget refusal →
 * isolation from inside the agent → restart resilience → hot-add → down keeps volumes.
 * Skipped when no Docker daemon can be reached. Traffic goes only to containers this test creates.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentToken } from "../../services/common/tokens.js";
import {
  cli,
  containerOf,
  docker,
  dockerReady,
  freePort,
  ipOn,
  nodeIn,
  ROOT,
  shIn,
  tempFleetDir,
  uniqueProject,
  waitFor,
} from "./helpers/fleet.js";

const HAVE_DOCKER = await dockerReady();
const REAL_KEY = `sk-e2e-real-${Date.now().toString(36)}-key`;
const FAKE_PORT = 8080;
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

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

describe.skipIf(!HAVE_DOCKER)("fleet end to end (real Docker)", () => {
  const dir = tempFleetDir();
  const project = uniqueProject();
  const env = { COMPOSE_PROJECT_NAME: project, OPENAI_KEY: REAL_KEY };
  let masterKey = "";
  let fakeUrl = "";
  let meshPort = 0;
  const ids: Record<string, string> = {};

  const fake = async (path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${fakeUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return text ? JSON.parse(text) : {};
  };
  const requests = async () =>
    (await fake("/_fake/requests")) as {
      requests?: { path: string; headers: Record<string, string>; body: string }[];
    };
  const script = (text: string) =>
    fake("/_fake/script", { target: "openai", answers: [{ text, usage: { input: 20, output: 5 } }] });

  beforeAll(async () => {
    // The CLI under test is the compiled one, as users run it.
    const tsc = await execa(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
      {
        cwd: ROOT,
        reject: false,
      },
    );
    // tsc emits even with type errors elsewhere in the tree; what matters is a fresh dist/.
    expect(existsSync(join(ROOT, "dist/generator/cli/main.js")), tsc.stdout).toBe(true);
    const init = await cli(
      ["init", dir, "--template", "starter", "--yes", "--api-key-env", "OPENAI_KEY"],
      env,
    );
    expect(init.code, init.stderr).toBe(0);
    meshPort = await freePort();
    const meshYaml = join(dir, "config", "mesh.yaml");
    const text = readFileSync(meshYaml, "utf8").replace(/port: 8420/, `port: ${meshPort}`);
    writeFileSync(
      meshYaml,
      `${text}\nproviders:\n  openai:\n    api: openai\n    base_url: "http://fake-llm:${FAKE_PORT}"\n`,
    );
    writeFileSync(join(dir, "docker-compose.override.yml"), overrideFile());
    masterKey = /OPENLEGION_MASTER_KEY=(\S+)/.exec(readFileSync(join(dir, ".env"), "utf8"))?.[1] ?? "";
    expect(masterKey).not.toBe("");
  }, 120_000);

  afterAll(async () => {
    const down = await cli(["down", dir, "--volumes", "--yes"], env);
    if (down.code !== 0) {
      // The CLI itself failed: remove what this project created, by its Compose label, directly.
      const label = `label=com.docker.compose.project=${project}`;
      const ids = (await docker(["ps", "-aq", "--filter", label], true)).split("\n").filter(Boolean);
      if (ids.length > 0) await docker(["rm", "-f", ...ids], true);
      const nets = (await docker(["network", "ls", "-q", "--filter", label], true))
        .split("\n")
        .filter(Boolean);
      if (nets.length > 0) await docker(["network", "rm", ...nets], true);
      const vols = (await docker(["volume", "ls", "-q", "--filter", label], true))
        .split("\n")
        .filter(Boolean);
      if (vols.length > 0) await docker(["volume", "rm", ...vols], true);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it("1. up renders, builds what is missing and waits until every service is healthy", async () => {
    const up = await cli(["up", dir, "-d", "--timeout", "240"], env);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain("fleet is up");
    const status = await cli(["status", dir, "--json"], env);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      healthy: boolean;
      services: { service: string; health: string; config: string }[];
    };
    expect(parsed.healthy).toBe(true);
    expect(
      parsed.services
        .filter((s) => !["fake-llm", "public-standin"].includes(s.service))
        .map((s) => [s.service, s.health, s.config]),
    ).toEqual([
      ["agent-assistant", "healthy", "in-sync"],
      ["egress-proxy", "healthy", "in-sync"],
      ["mesh", "healthy", "in-sync"],
    ]);
    for (const s of ["agent-assistant", "egress-proxy", "mesh", "fake-llm"])
      ids[s] = await containerOf(project, s);
    fakeUrl = `http://${await ipOn(ids["fake-llm"]!, "_egress")}:${FAKE_PORT}`;
    await waitFor("fake provider", async () => ((await fake("/_fake/health")) ? true : undefined), 60_000);
  }, 600_000);

  it("2. chat streams the fake's reply; the provider saw the real key, never the agent token", async () => {
    await script("Hello from the fake provider. PAPAYA noted.");
    const chat = await cli(
      ["chat", "assistant", "--dir", dir, "-m", "Say hello. The code word is PAPAYA."],
      env,
    );
    expect(chat.stderr).toBe("");
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain("Hello from the fake provider.");
    const seen = (await requests()).requests ?? [];
    const llm = seen.filter((r) => r.path.includes("chat/completions"));
    expect(llm.length).toBeGreaterThan(0);
    const auth = llm.map((r) => r.headers.authorization ?? "");
    expect(auth.every((a) => a === `Bearer ${REAL_KEY}`)).toBe(true);
    const token = agentToken(masterKey, "assistant");
    expect(JSON.stringify(seen)).not.toContain(token);
  }, 180_000);

  it("2b. costs shows the call on the ledger", async () => {
    const costs = await cli(["costs", dir, "--json"], env);
    expect(costs.code, costs.stderr).toBe(0);
    const report = JSON.parse(costs.stdout) as { agents: Record<string, { today_usd: number }> };
    expect(report.agents.assistant?.today_usd).toBeGreaterThan(0);
    const table = await cli(["costs", dir], env);
    expect(table.stdout).toContain("assistant");
  }, 60_000);

  it("4. a tiny budget recreates only the proxy, and the next call is refused with a clear message", async () => {
    const agentsYaml = join(dir, "config", "agents.yaml");
    const original = readFileSync(agentsYaml, "utf8");
    writeFileSync(agentsYaml, original.replace(/daily_usd: [\d.]+/, "daily_usd: 0.000001"));
    try {
      const up = await cli(["up", dir, "-d"], env);
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(await containerOf(project, "egress-proxy")).not.toBe(ids["egress-proxy"]);
      expect(await containerOf(project, "mesh")).toBe(ids.mesh);
      expect(await containerOf(project, "agent-assistant")).toBe(ids["agent-assistant"]);
      await script("this must never be sent");
      const chat = await cli(["chat", "assistant", "--dir", dir, "-m", "one more"], env);
      expect(chat.code).toBe(1);
      expect(chat.stderr).toMatch(/budget exceeded/i);
    } finally {
      writeFileSync(agentsYaml, original);
      const back = await cli(["up", dir, "-d"], env);
      expect(back.code, back.stderr).toBe(0);
      ids["egress-proxy"] = await containerOf(project, "egress-proxy");
      await fake("/_fake/reset", {});
    }
  }, 600_000);

  it("5. isolation: no key inside the agent; no route to the egress side except through the proxy", async () => {
    const agent = await containerOf(project, "agent-assistant");
    const env = await nodeIn(agent, "process.stdout.write(JSON.stringify(process.env))");
    expect(env.code).toBe(0);
    expect(env.stdout).not.toContain(REAL_KEY);
    const files = await shIn(
      agent,
      `grep -rls -- '${REAL_KEY}' /data /tmp /app /etc /run /opt 2>/dev/null; cat /proc/[0-9]*/environ 2>/dev/null | grep -c -- '${REAL_KEY}'`,
    );
    expect(files.stdout.trim()).toBe("0");
    expect(await docker(["inspect", agent])).not.toContain(REAL_KEY);
    expect(await docker(["inspect", agent])).not.toContain(masterKey);
    const fakeIp = await ipOn(await containerOf(project, "fake-llm"), "_egress");
    const publicIp = await ipOn(await containerOf(project, "public-standin"), "_egress");
    const reach = (url: string) =>
      nodeIn(
        agent,
        `fetch(${JSON.stringify(url)},{signal:AbortSignal.timeout(3000)}).then(()=>process.exit(0),()=>process.exit(7))`,
      );
    expect((await reach(`http://${fakeIp}:${FAKE_PORT}/_fake/health`)).code).toBe(7);
    expect((await reach(`http://${publicIp}:8081/`)).code).toBe(7);
    expect((await reach("http://fake-llm:8080/_fake/health")).code).toBe(7);
    // The proxy, asked to forward to a host the agent is not allowed, refuses.
    const viaProxy = await nodeIn(
      agent,
      `const fs=require('node:fs');const t=fs.readFileSync('/run/secrets/agent_token','utf8').trim();
       const r=require('node:http').request({host:'egress-proxy',port:8480,method:'GET',path:'http://${publicIp}:8081/',headers:{'proxy-authorization':'Bearer '+t,host:'${publicIp}:8081'}},s=>{process.stdout.write(String(s.statusCode));s.resume();s.on('end',()=>process.exit(0))});
       r.on('error',e=>{process.stdout.write('error '+e.message);process.exit(0)});r.end();`,
    );
    expect(viaProxy.stdout).toMatch(/^4\d\d$/);
  }, 180_000);

  it("6. restart resilience: mesh restart and a killed agent process come back, conversation intact", async () => {
    const compose = await execa("docker-compose", ["-p", project, "restart", "mesh"], {
      cwd: dir,
      reject: false,
    });
    expect(compose.exitCode, compose.stderr).toBe(0);
    const agent = await containerOf(project, "agent-assistant");
    await shIn(
      agent,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
      "for p in /proc/[0-9]*; do grep -q main.js $p/cmdline 2>/dev/null && kill -9 ${p#/proc/}; done",
    );
    await waitFor(
      "fleet healthy again",
      async () => {
        const s = await cli(["status", dir, "--json"], env);
        return s.code === 0 ? true : undefined;
      },
      180_000,
    );
    await script("Still here. The word was PAPAYA.");
    const chat = await cli(["chat", "assistant", "--dir", dir, "-m", "What was the code word?"], env);
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toContain("Still here");
    const last = ((await requests()).requests ?? [])
      .filter((r) => r.path.includes("chat/completions"))
      .at(-1);
    expect(last?.body).toContain("PAPAYA");
  }, 300_000);

  it("7. hot-add starts the new agent without recreating the running one", async () => {
    const before = await containerOf(project, "agent-assistant");
    const add = await cli(["agent", "add", "helper", "--dir", dir, "--role", "Helper"], env);
    expect(add.code, add.stderr).toBe(0);
    const up = await cli(["up", dir, "-d"], env);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(await containerOf(project, "agent-assistant")).toBe(before);
    const helper = await containerOf(project, "agent-helper");
    // The two agents share no network: the helper cannot reach the assistant.
    const assistantIp = await ipOn(before, `_agent-assistant`);
    const r = await nodeIn(
      helper,
      `fetch('http://${assistantIp}:8400/healthz',{signal:AbortSignal.timeout(3000)}).then(()=>process.exit(0),()=>process.exit(7))`,
    );
    expect(r.code).toBe(7);
  }, 600_000);

  it("8. down removes containers and networks but keeps volumes; up again keeps the conversation", async () => {
    const down = await cli(["down", dir], env);
    expect(down.code, down.stderr).toBe(0);
    expect(
      (await docker(["ps", "-aq", "--filter", `label=com.docker.compose.project=${project}`])).trim(),
    ).toBe("");
    const volumes = await docker([
      "volume",
      "ls",
      "-q",
      "--filter",
      `label=com.docker.compose.project=${project}`,
    ]);
    expect(volumes).toContain(`${project}_agent-assistant-data`);
    const up = await cli(["up", dir, "-d"], env);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    fakeUrl = `http://${await ipOn(await containerOf(project, "fake-llm"), "_egress")}:${FAKE_PORT}`;
    await waitFor("fake provider", async () => ((await fake("/_fake/health")) ? true : undefined), 60_000);
    await script("Back again.");
    const chat = await cli(["chat", "assistant", "--dir", dir, "-m", "Are you back?"], env);
    expect(chat.code, chat.stderr).toBe(0);
    const last = ((await requests()).requests ?? [])
      .filter((r) => r.path.includes("chat/completions"))
      .at(-1);
    expect(last?.body).toContain("PAPAYA");
  }, 600_000);
});
