/**
 * Issue 19 on real Docker: an agent with browser_backend: basic gets a browser sidecar (Debian's
 * Chromium) on its own network; the fake model drives the browser tools against a local site served
 * by a stand-in container on the egress network, every request through the egress proxy as the agent.
 * Also: the redirect and the script's probes of the mesh, the proxy's admin port and the agent's own
 * loopback are refused; the proxy counts the browser's requests for the agent; a frozen agent's browser
 * is refused; a killed Chromium is relaunched for the next call. Prints the figures the issue asks for.
 * Traffic goes only to containers this test creates.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EGRESS_SLOT, parsePool, slotSubnet } from "../../../generator/render/subnets.js";
import { operatorToken } from "../../../services/common/tokens.js";
import { textOf } from "../helpers/fake-llm.js";
import { docker, dockerReady, ROOT, shIn } from "../helpers/fleet.js";
import { E2eFleet, patchMeshYaml } from "../helpers/fleet-setup.js";

type MeshYaml = { egress: { subnet_pool: string } };

const HAVE_DOCKER = await dockerReady();
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const SITE = "http://site:8080";
const PROBES = [
  "http://mesh:8420/v1/agents",
  "http://egress-proxy:8480/admin/costs",
  "http://agent-assistant:8400/healthz",
  "http://127.0.0.1:8400/healthz",
];

/** The site stand-in: tests/fixtures/browser-site/site.mjs in the agent image (it has Node). */
const siteService = `  site:
    image: openlegion/agent:${VERSION}
    command: ["node", "/site/site.mjs", "8080"]
    environment:
      SITE_REDIRECT_TO: "http://public-standin:8081/"
      SITE_PROBES: "${PROBES.join(",")}"
    volumes:
      - "${join(ROOT, "tests", "fixtures", "browser-site")}:/site:ro"
    networks: [egress]
    healthcheck:
      disable: true
`;

/** Runs the agent's own browser tools inside its container (dist is there), printing JSON results. */
const toolsScript = (calls: { name: string; args: Record<string, unknown> }[]) => `
import { readFileSync } from "node:fs";
import pino from "pino";
import { BrowserSession } from "/app/dist/services/agent/tools/browser/session.js";
import { browserTools } from "/app/dist/services/agent/tools/browser/tools.js";
const m = JSON.parse(readFileSync("/etc/openlegion/manifest.json", "utf8"));
const token = readFileSync("/run/secrets/agent_token", "utf8").trim();
const session = new BrowserSession({ endpoint: m.browser_url, proxy: { server: m.proxy_url, username: m.id, password: token }, log: pino({ level: "silent" }) });
const tools = new Map(browserTools(session).map((t) => [t.name, t]));
const out = [];
for (const c of ${JSON.stringify(calls)}) {
  const started = performance.now();
  try { const r = await tools.get(c.name).run(c.args, {}); out.push({ ok: true, ms: performance.now() - started, r }); }
  catch (e) { out.push({ ok: false, ms: performance.now() - started, code: e.code, message: e.message }); }
}
await session.close();
process.stdout.write(JSON.stringify(out));
`;

describe.skipIf(!HAVE_DOCKER)("issue 19: browser tools on real Docker", () => {
  const fleet = new E2eFleet(`sk-e2e-browser-${Date.now().toString(36)}`);
  const figures: Record<string, number | string> = {};

  async function inAgent(calls: { name: string; args: Record<string, unknown> }[]) {
    const r = await execa(
      "docker",
      [
        "exec",
        await fleet.container("agent-assistant"),
        "node",
        "--input-type=module",
        "-e",
        toolsScript(calls),
      ],
      { reject: false, timeout: 180_000 },
    );
    if (r.exitCode !== 0) throw new Error(`tools script: ${r.stderr}`);
    return JSON.parse(r.stdout) as {
      ok: boolean;
      ms: number;
      r?: Record<string, unknown>;
      code?: string;
      message?: string;
    }[];
  }

  /** The proxy's admin API from the mesh container (the control network), as the operator. */
  async function proxyAdmin(method: string, path: string): Promise<string> {
    const code = `fetch("http://egress-proxy:8480${path}",{method:"${method}",headers:{authorization:"Bearer ${operatorToken(fleet.masterKey)}"}}).then(async r=>process.stdout.write(r.status+" "+(await r.text())))`;
    return (
      await execa("docker", ["exec", await fleet.container("mesh"), "node", "-e", code], { reject: false })
    ).stdout;
  }

  beforeAll(async () => {
    await fleet.init("starter");
    const edit = (file: string, change: (text: string) => string) =>
      writeFileSync(join(fleet.dir, file), change(readFileSync(join(fleet.dir, file), "utf8")));
    edit("config/agents.yaml", (t) =>
      t.replace(
        '    role: "General assistant"\n',
        '    role: "General assistant"\n    browser_backend: basic\n    allowed_hosts: ["site:8080"]\n',
      ),
    );
    // The stand-in site lives on the egress network: the egress slot of the pool init picked, a private
    // range. Allow that /28 only (not the pool: the mesh's and agents' networks stay forbidden).
    const pool = (parse(readFileSync(join(fleet.dir, "config/mesh.yaml"), "utf8")) as MeshYaml).egress
      .subnet_pool;
    patchMeshYaml(fleet.dir, { egress: { allow_private_cidrs: [slotSubnet(parsePool(pool), EGRESS_SLOT)] } });
    // So browser_screenshot can register its artifact on the blackboard.
    edit("config/permissions.json", (t) =>
      t.replace('"context/notes_*"', '"context/notes_*", "context/artifacts/**"'),
    );
    edit("docker-compose.override.yml", (t) => `${t}${siteService}`);
    const up = await fleet.cli(["up", fleet.dir, "-d", "--timeout", "300"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await fleet.locateFake();
  }, 900_000);

  afterAll(async () => {
    console.log(`browser figures: ${JSON.stringify(figures)}`);
    await fleet.destroy();
  }, 180_000);

  it("renders a hardened sidecar without secrets on the agent's network only", async () => {
    const id = await fleet.container("browser-assistant");
    const info = JSON.parse(await docker(["inspect", id])) as {
      Config: { User: string };
      HostConfig: { ReadonlyRootfs: boolean; Memory: number; PidsLimit: number; CapDrop: string[] };
      NetworkSettings: { Networks: Record<string, unknown> };
      Mounts: { Destination: string }[];
    }[];
    const c = info[0]!;
    expect(c.Config.User).toBe("1000:1000");
    expect(c.HostConfig.ReadonlyRootfs).toBe(true);
    expect(c.HostConfig.Memory).toBe(1024 ** 3);
    expect(c.HostConfig.PidsLimit).toBe(256);
    // Only its agent's own network (a slot network `agent-net-N`, the one the agent is on first).
    const agent = JSON.parse(await docker(["inspect", await fleet.container("agent-assistant")])) as {
      NetworkSettings: { Networks: Record<string, unknown> };
    }[];
    const agentNets = Object.keys(agent[0]!.NetworkSettings.Networks);
    const sidecarNets = Object.keys(c.NetworkSettings.Networks);
    expect(sidecarNets).toHaveLength(1);
    expect(sidecarNets[0]).toMatch(/_agent-net-\d+$/);
    expect(agentNets).toContain(sidecarNets[0]);
    expect(c.Mounts.map((m) => m.Destination)).not.toContain("/run/secrets");
    const secrets = await shIn(id, "ls /run/secrets 2>&1; echo; env");
    expect(secrets.stdout).not.toMatch(/agent_token|mesh_token|master_key|sk-e2e-browser/);
    figures.image_mb = Math.round(
      Number(await docker(["image", "inspect", "--format", "{{.Size}}", `openlegion/browser:${VERSION}`])) /
        1e6,
    );
  });

  it("the model navigates, clicks, types and submits, reads the result, screenshots and evaluates", async () => {
    await fleet.fake.script(
      { toolCalls: [{ name: "browser_navigate", args: { url: `${SITE}/` } }] },
      { toolCalls: [{ name: "browser_snapshot", args: {} }] },
      { toolCalls: [{ name: "browser_click", args: { target: "#toggle" } }] },
      {
        toolCalls: [
          { name: "browser_type", args: { target: "input[name=name]", text: "Ada", submit: true } },
        ],
      },
      {
        toolCalls: [
          { name: "browser_evaluate", args: { script: "document.getElementById('greeting').textContent" } },
        ],
      },
      { toolCalls: [{ name: "browser_screenshot", args: {} }] },
      { toolCalls: [{ name: "browser_navigate", args: { url: `${SITE}/redirect` } }] },
      { text: "Browsed.", usage: { input: 20, output: 5 } },
    );
    const chat = await fleet.cli(["chat", "assistant", "--dir", fleet.dir, "-m", "Browse the site."]);
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toContain("Browsed.");
    const tools = textOf((await fleet.fake.chats()).at(-1)!, ["tool"]);
    expect(tools).toContain("Welcome home");
    expect(tools).toContain("[untrusted content of web page http://site:8080/");
    expect(tools).toMatch(/textbox \\?"Name\\?" \[ref=/);
    expect(tools).toContain("Clicked!");
    expect(tools).toContain("Hello, Ada!");
    expect(tools).toMatch(/\/data\/artifacts\/screenshot-[\w-]+\.png/);
    expect(tools).toMatch(/\\?"registered\\?": ?true/);
    expect(tools).toContain("OL_ERR_AGENT_BROWSER_BLOCKED");
    expect(tools).toContain("public-standin");
    const png = /\/data\/artifacts\/(screenshot-[\w-]+\.png)/.exec(tools)?.[1];
    const head = await shIn(
      await fleet.container("agent-assistant"),
      `od -An -tx1 -N8 /data/artifacts/${png}`,
    );
    expect(head.stdout.replace(/\s+/g, "")).toBe("89504e470d0a1a0a");
  }, 300_000);

  it("a page's script reaches neither the mesh, the proxy's admin port nor the agent's loopback", async () => {
    const [nav, wait] = await inAgent([
      { name: "browser_navigate", args: { url: `${SITE}/probe` } },
      {
        name: "browser_evaluate",
        args: {
          script:
            "new Promise((done) => { const t = setInterval(() => { const li = document.querySelectorAll('#results li'); if (li.length >= 4) { clearInterval(t); done([...li].map((l) => l.textContent)); } }, 50); })",
        },
      },
    ]);
    expect(nav?.ok, nav?.message).toBe(true);
    expect(wait?.ok, wait?.message).toBe(true);
    const blocked = [
      ...((nav?.r?.blocked_requests as { url: string; why: string }[] | undefined) ?? []),
      ...((wait?.r?.blocked_requests as { url: string; why: string }[] | undefined) ?? []),
    ];
    expect(blocked.map((b) => b.url).sort()).toEqual([...PROBES].sort());
    expect(blocked.every((b) => /^HTTP 403|OL_ERR_PROXY_HOST_FORBIDDEN/.test(b.why))).toBe(true);
  }, 180_000);

  it("the proxy counts the browser's requests for the agent", async () => {
    const metrics = await proxyAdmin("GET", "/metrics");
    expect(metrics).toMatch(
      /openlegion_proxy_requests_total\{[^}]*agent="assistant"[^}]*route="forward"[^}]*\} [1-9]/,
    );
  });

  it("a killed Chromium is relaunched and the next call works; figures for one browsing agent", async () => {
    const browser = await fleet.container("browser-assistant");
    const kill = await shIn(
      browser,
      `for p in /proc/[0-9]*; do c=$(tr '\\0' ' ' < $p/cmdline 2>/dev/null); case "$c" in *chromium*--remote-debugging-pipe*) case "$c" in *--type=*) ;; *) kill -9 \${p#/proc/};; esac;; esac; done; echo killed`,
    );
    expect(kill.stdout).toContain("killed");
    const runs = await inAgent([
      { name: "browser_navigate", args: { url: `${SITE}/about` } },
      ...Array.from({ length: 10 }, () => ({ name: "browser_navigate", args: { url: `${SITE}/` } })),
    ]);
    expect(runs[0]).toMatchObject({ ok: true, r: { title: "About" } });
    expect(runs.every((r) => r.ok)).toBe(true);
    const logs = await execa("docker", ["logs", browser], { reject: false });
    expect(logs.stdout + logs.stderr).toContain("launching it again");
    const warm = runs
      .slice(1)
      .map((r) => r.ms)
      .sort((a, b) => a - b);
    figures.navigate_ms_median = Math.round(warm[Math.floor(warm.length / 2)] ?? 0);
    const stats = await docker(["stats", "--no-stream", "--format", "{{.MemUsage}}", browser]);
    figures.browser_mem = stats.trim();
    figures.agent_mem = (
      await docker([
        "stats",
        "--no-stream",
        "--format",
        "{{.MemUsage}}",
        await fleet.container("agent-assistant"),
      ])
    ).trim();
  }, 240_000);

  it("a frozen agent's browser is refused by the proxy", async () => {
    expect(await proxyAdmin("POST", "/admin/agents/assistant/freeze")).toMatch(/^200/);
    try {
      const [nav] = await inAgent([{ name: "browser_navigate", args: { url: `${SITE}/` } }]);
      expect(nav).toMatchObject({ ok: false, code: "OL_ERR_AGENT_BROWSER_BLOCKED" });
      expect(nav?.message).toContain("OL_ERR_PROXY_AGENT_FROZEN");
    } finally {
      await proxyAdmin("POST", "/admin/agents/assistant/unfreeze");
    }
  }, 120_000);
});
