/**
 * The attack suite (issue 14): a real rendered `sales` fleet, one `up` for the whole suite, with the fake
 * provider, a "public" stand-in and an HTTPS stand-in for an `apis:` entry on the egress network. A script
 * run inside agent-researcher (attack-script.mjs) tries network reach, proxy misuse, mesh misuse, container
 * escape and secret sweeps; the test adds the sweeps only the host can do (docker inspect, logs, rendered
 * files, image history) with canary values planted in every kind of secret, and asserts every attack is
 * blocked. Traffic goes only to containers and networks this test creates. Skipped without Docker.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentToken, meshToken, operatorToken } from "../../../services/common/tokens.js";
import { docker, dockerReady, ipOn, shIn } from "../helpers/fleet.js";
import { E2eFleet } from "../helpers/fleet-setup.js";
import { type Canaries, makeCanaries, plantFleet } from "./stand-ins.js";

const HAVE_DOCKER = await dockerReady();
const POOL = "10.241.0.0/16";
const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, "../../../package.json"), "utf8")) as { version: string }
).version;
const SERVICES = ["agent-researcher", "agent-qualifier", "agent-outreach", "mesh", "egress-proxy"];

interface Attempt {
  id: string;
  category: string;
  blocked: boolean;
  detail: string;
}

describe.skipIf(!HAVE_DOCKER)("attack suite: a compromised agent of a real fleet", () => {
  const canaries: Canaries = makeCanaries();
  const fleet = new E2eFleet(canaries.providerKey);
  const attempts: Attempt[] = [];
  const record = (id: string, category: string, blocked: boolean, detail = "") =>
    attempts.push({ id, category, blocked, detail: detail.slice(0, 300) });
  let started = 0;
  const tokens: Record<string, string> = {};
  let secretValues: Array<[string, string]> = [];

  /** Runs the attacker inside agent-researcher; returns its parsed report. */
  async function attack(args: Record<string, unknown>) {
    const script = readFileSync(join(import.meta.dirname, "attack-script.mjs"), "utf8");
    const id = await fleet.container("agent-researcher");
    const r = await execa(
      "docker",
      ["exec", "-i", id, "node", "--input-type=module", "-", JSON.stringify(args)],
      {
        input: script,
        reject: false,
        timeout: 180_000,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const line = String(r.stdout).trim().split("\n").pop() ?? "";
    if (!line.startsWith("{")) throw new Error(`attack script failed: ${r.stderr}`);
    return JSON.parse(line) as { results: Attempt[]; sweep?: string[] };
  }

  /** The proxy's admin API, reached from the mesh container (the control network) with the operator token. */
  async function proxyAdmin(path: string): Promise<string> {
    const code = `fetch("http://egress-proxy:8480${path}",{method:"POST",headers:{authorization:"Bearer ${operatorToken(fleet.masterKey)}"}}).then(r=>process.stdout.write(String(r.status)))`;
    return (
      await execa("docker", ["exec", await fleet.container("mesh"), "node", "-e", code], { reject: false })
    ).stdout;
  }

  beforeAll(async () => {
    started = Date.now();
    await fleet.init("sales");
    plantFleet(fleet.dir, canaries, POOL, `openlegion/agent:${VERSION}`);
    fleet.masterKey = canaries.masterKey;
    const up = await fleet.cli(["up", fleet.dir, "-d", "--build", "--timeout", "240"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await fleet.locateFake();
    for (const agent of ["researcher", "qualifier", "outreach"]) {
      tokens[agent] = (
        await shIn(await fleet.container(`agent-${agent}`), "cat /run/secrets/agent_token")
      ).stdout.trim();
    }
    // Every secret value of the fleet, by kind: none may reach the attacker or any place it can read.
    secretValues = [
      ["provider key", canaries.providerKey],
      ["API key", canaries.apiKey],
      ["master key", canaries.masterKey],
      ["webhook secret", canaries.webhookSecret],
      ["operator token", operatorToken(canaries.masterKey)],
      ["qualifier token", tokens.qualifier ?? ""],
      ["outreach token", tokens.outreach ?? ""],
      ["qualifier mesh token", meshToken(canaries.masterKey, "qualifier")],
    ];
    expect(tokens.qualifier).toBe(agentToken(canaries.masterKey, "qualifier"));
  }, 900_000);

  afterAll(async () => {
    await fleet.destroy();
  }, 180_000);

  it("blocks every attack from inside agent-researcher", async () => {
    const ids = {
      publicIp: await ipOn(await fleet.container("public-standin"), "_egress"),
      fakeIp: await ipOn(await fleet.container("fake-llm"), "_egress"),
      apiIp: await ipOn(await fleet.container("api-standin"), "_egress"),
      proxyEgressIp: await ipOn(await fleet.container("egress-proxy"), "_egress"),
      proxyControlIp: await ipOn(await fleet.container("egress-proxy"), "_control"),
      meshIngressIp: await ipOn(await fleet.container("mesh"), "_ingress"),
      otherAgentIp: await ipOn(await fleet.container("agent-qualifier")),
    };
    await fleet.fake.script({ text: "ok", usage: { input: 5, output: 1 } });
    const report = await attack({
      ...ids,
      stolenToken: tokens.qualifier,
      allowedModels: ["gpt-4o-mini", "text-embedding-3-small"],
    });
    attempts.push(...report.results);

    // What reached the provider from the routing-fields attack: no routing field, no agent-chosen header.
    const routed = (await fleet.fake.requests()).find((r) => r.body.includes("ATTACK-ROUTING"));
    const body = JSON.parse(routed?.body ?? "{}") as Record<string, unknown>;
    for (const field of ["api_key", "api_base", "base_url", "custom_llm_provider"])
      record(`provider-saw-no-${field}`, "proxy", routed !== undefined && !(field in body));
    for (const header of ["openai-organization", "openai-project", "anthropic-beta"])
      record(
        `provider-saw-no-${header}`,
        "proxy",
        routed !== undefined && !(header in (routed?.headers ?? {})),
      );
    record(
      "provider-got-real-key",
      "proxy",
      routed?.headers.authorization === `Bearer ${canaries.providerKey}`,
    );

    // Secret sweep inside: canary-prefixed and token-shaped strings the attacker found.
    const sweep = report.sweep ?? [];
    for (const [kind, value] of secretValues)
      record(
        `sweep-inside-no-${kind.replaceAll(" ", "-")}`,
        "secrets",
        !sweep.some((h) => h.includes(value)),
        kind,
      );
    record(
      "sweep-inside-no-canary-prefix",
      "secrets",
      !sweep.some((h) => h.includes("olcanary")),
      sweep.filter((h) => h.includes("olcanary")).join("; "),
    );

    // The kill switch, from the attacker's side: every door refuses once the operator freezes it.
    expect(await proxyAdmin("/admin/agents/researcher/freeze")).toBe("200");
    attempts.push(...(await attack({ phase: "frozen" })).results);
    expect(await proxyAdmin("/admin/agents/researcher/unfreeze")).toBe("200");
  }, 600_000);

  it("leaks no secret through docker inspect, logs, rendered files or image history", async () => {
    const leaks = (text: string) => secretValues.filter(([, v]) => v && text.includes(v)).map(([k]) => k);
    for (const service of [...SERVICES, "fake-llm", "public-standin", "api-standin"]) {
      const inspect = await docker(["inspect", await fleet.container(service)]);
      const found = leaks(inspect);
      record(`inspect-${service}`, "secrets", found.length === 0, found.join(","));
    }
    for (const service of SERVICES) {
      const r = await execa("docker", ["logs", await fleet.container(service)], {
        reject: false,
        maxBuffer: 64 * 1024 * 1024,
      });
      const found = leaks(`${r.stdout}${r.stderr}`);
      record(`logs-${service}`, "secrets", found.length === 0, found.join(","));
    }
    const files = [join(fleet.dir, "docker-compose.yml"), ...walk(join(fleet.dir, "compose"))];
    for (const file of files) {
      const found = leaks(readFileSync(file, "utf8"));
      record(`rendered-${file.slice(fleet.dir.length + 1)}`, "secrets", found.length === 0, found.join(","));
    }
    for (const image of ["agent", "mesh", "egress-proxy"]) {
      const history = await docker(["history", "--no-trunc", `openlegion/${image}:${VERSION}`]);
      const found = leaks(history);
      record(`image-history-${image}`, "secrets", found.length === 0, found.join(","));
    }
  }, 300_000);

  afterAll(() => {
    const failed = attempts.filter((a) => !a.blocked);
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(
      `attack suite: ${attempts.length} attacks, ${attempts.length - failed.length} blocked, ${seconds} s (including build and up)`,
    );
    for (const a of failed) console.log(`NOT BLOCKED ${a.category}/${a.id}: ${a.detail}`);
  });

  it("counts at least 60 attacks, every one blocked", () => {
    const failed = attempts.filter((a) => !a.blocked).map((a) => `${a.category}/${a.id}: ${a.detail}`);
    expect(failed).toEqual([]);
    expect(attempts.length).toBeGreaterThanOrEqual(60);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
