import { describe, expect, it } from "vitest";
import { compile, LABEL, serialize, trackedOutputs } from "../../../generator/render/index.js";
import { agentToken, meshToken } from "../../../services/common/tokens.js";
import { makeFleet, oneAgent, TEST_MASTER_KEY, threeAgents } from "../../fixtures/render/fleet.js";

const opts = { toolVersion: "0.1.0" };
const services = (input = threeAgents()) => compile(makeFleet(input), opts).compose.services;

describe("compile: hardening", () => {
  it("gives every service the full hardening set", () => {
    for (const [name, s] of Object.entries(services())) {
      expect(s.user, name).toBe("1000:1000");
      expect(s.read_only).toBe(true);
      expect(s.tmpfs).toEqual(["/tmp:size=64m,noexec,nosuid,nodev"]);
      expect(s.cap_drop).toEqual(["ALL"]);
      expect(s.security_opt).toEqual(["no-new-privileges:true"]);
      expect(s.init).toBe(true);
      expect(s.pids_limit).toBeGreaterThan(0);
      expect(s.mem_limit).toBe(s.memswap_limit);
      expect(s.cpus).toBeGreaterThan(0);
      expect(s.logging).toEqual({ driver: "json-file", options: { "max-file": "3", "max-size": "10m" } });
      expect(s.restart).toBe("unless-stopped");
      expect(s.healthcheck.test[0]).toBe("CMD");
      expect(s.volumes).toContain(`${name}-data:/data`);
      expect(s.labels[LABEL.configHash]).toMatch(/^[0-9a-f]{64}$/);
      for (const key of ["privileged", "devices", "extra_hosts", "network_mode", "pid", "ipc", "cap_add"]) {
        expect(s, `${name}.${key}`).not.toHaveProperty(key);
      }
      expect(s.volumes.join(" ")).not.toMatch(/docker\.sock/);
    }
  });

  it("takes agent limits from resources and publishes only the mesh, on mesh.host", () => {
    const s = services();
    expect(s["agent-writer"]).toMatchObject({
      mem_limit: "1g",
      memswap_limit: "1g",
      cpus: 1,
      pids_limit: 128,
    });
    expect(s["agent-qualifier"]).toMatchObject({ mem_limit: "512m", cpus: 0.5, pids_limit: 256 });
    expect(s.mesh?.ports).toEqual(["127.0.0.1:8421:8420"]);
    for (const [name, svc] of Object.entries(s)) if (name !== "mesh") expect(svc).not.toHaveProperty("ports");
    expect(s["egress-proxy"]?.sysctls).toEqual({ "net.ipv4.ip_forward": "0" });
  });

  it("uses the default images with the tool version and honours an agent image override", () => {
    const input = oneAgent();
    (input.agents as { agents: Record<string, Record<string, unknown>> }).agents.researcher!.image =
      "example/custom:1.2";
    const s = services(input);
    expect(s.mesh?.image).toBe("openlegion/mesh:0.1.0");
    expect(s["egress-proxy"]?.image).toBe("openlegion/egress-proxy:0.1.0");
    expect(s["agent-researcher"]?.image).toBe("example/custom:1.2");
    expect(services(oneAgent())["agent-researcher"]?.image).toBe("openlegion/agent:0.1.0");
  });
});

describe("compile: networks", () => {
  it("puts each agent alone on an internal /28 shared only with mesh and egress-proxy", () => {
    const model = compile(makeFleet(threeAgents()), opts).compose;
    for (const id of ["qualifier", "researcher", "writer"]) {
      const [netName, ...more] = model.services[`agent-${id}`]!.networks;
      expect(more).toEqual([]);
      const net = model.networks[netName!]!;
      expect(net.internal).toBe(true);
      expect(net.driver_opts).toEqual({ "com.docker.network.bridge.inhibit_ipv4": "true" });
      expect(net.ipam?.config[0]?.subnet).toMatch(/^10\.231\.\d+\.\d+\/28$/);
      const members = Object.entries(model.services)
        .filter(([, s]) => s.networks.includes(netName!))
        .map(([n]) => n);
      expect(members.sort()).toEqual([`agent-${id}`, "egress-proxy", "mesh"]);
    }
    expect(model.networks.control).toMatchObject({
      internal: true,
      ipam: { config: [{ subnet: "10.231.0.0/28" }] },
    });
    expect(model.networks.egress).not.toHaveProperty("internal");
    // Every network of the fleet is inside its pool, egress and ingress too (issue 16 item 3).
    expect(model.networks.egress?.ipam?.config[0]?.subnet).toBe("10.231.0.16/28");
    expect(model.networks.ingress?.ipam?.config[0]?.subnet).toBe("10.231.0.32/28");
    expect(model.services["egress-proxy"]?.networks).toContain("egress");
    expect(model.services.mesh?.networks).toContain("ingress");
    expect(model.services.mesh?.networks).not.toContain("egress");
    const subnets = Object.values(model.networks)
      .map((n) => n.ipam?.config[0]?.subnet)
      .filter(Boolean);
    expect(new Set(subnets).size).toBe(subnets.length);
    expect(serialize({ ...compile(makeFleet(threeAgents()), opts) })).not.toMatch(/enable_ipv6|ipv6/i);
  });
});

describe("compile: secrets", () => {
  it("mounts each secret only where ARCHITECTURE.md §5 allows", () => {
    const model = compile(makeFleet(threeAgents()), opts);
    const mounted = (svc: string) => (model.compose.services[svc]?.secrets ?? []).map((s) => s.source).sort();
    expect(mounted("agent-writer")).toEqual(["agent_token_writer", "mesh_token_writer"]);
    expect(model.compose.services["agent-writer"]?.secrets).toEqual([
      { source: "agent_token_writer", target: "agent_token" },
      { source: "mesh_token_writer", target: "mesh_token" },
    ]);
    // One mesh token per agent (meshToken(master, id)), each mounted into its own agent only.
    const holders = Object.keys(model.compose.services).filter((svc) =>
      mounted(svc).some((name) => name.startsWith("mesh_token")),
    );
    expect(holders.sort()).toEqual(
      Object.keys(model.compose.services)
        .filter((n) => n.startsWith("agent-"))
        .sort(),
    );
    expect(Object.keys(model.compose.secrets).filter((n) => n.startsWith("mesh_token"))).toEqual([
      "mesh_token_qualifier",
      "mesh_token_researcher",
      "mesh_token_writer",
    ]);
    expect(mounted("egress-proxy")).toEqual([
      "cred_anthropic_api_key",
      "cred_brave_api_key",
      "cred_openai_api_key",
      // Telegram's bot token is the proxy's: it writes it into the Bot API path (issue 17 item 4).
      "cred_telegram_bot_token",
      "master_key",
    ]);
    expect(mounted("mesh")).toEqual(["cred_crm_webhook_secret", "master_key"]);
    expect(
      Object.values(model.compose.secrets).every((s) =>
        /^\.\/\.openlegion\/secrets\/[a-z0-9_-]+$/.test(s.file),
      ),
    ).toBe(true);
    expect(model.secrets.values.get("agent_token_writer")).toBe(agentToken(TEST_MASTER_KEY, "writer"));
    // The agent verifies the mesh with this token and never sees the master key.
    expect(model.secrets.values.get("mesh_token_writer")).toBe(meshToken(TEST_MASTER_KEY, "writer"));
    expect(model.secrets.values.get("mesh_token_writer")).not.toBe(
      model.secrets.values.get("mesh_token_researcher"),
    );
    expect(mounted("agent-writer")).not.toContain("mesh_token_researcher");
    expect(mounted("agent-writer")).not.toContain("master_key");
  });

  it("never puts a secret value in the compose file or the generated files", () => {
    const model = compile(makeFleet(threeAgents()), opts);
    const text = [...trackedOutputs(model).values()].join("\n");
    for (const value of model.secrets.values.values()) expect(text).not.toContain(value);
    expect(JSON.stringify(model)).not.toContain(TEST_MASTER_KEY);
  });
});

describe("compile: config-hash labels", () => {
  it("changes only when a service's inputs change", () => {
    const base = compile(makeFleet(threeAgents()), opts).compose.services;
    const changed = threeAgents();
    (changed.agents as { agents: Record<string, Record<string, unknown>> }).agents.writer!.system_prompt =
      "Write tersely.";
    const next = compile(makeFleet(changed), opts).compose.services;
    const differs = Object.keys(base).filter(
      (n) => base[n]?.labels[LABEL.configHash] !== next[n]?.labels[LABEL.configHash],
    );
    expect(differs).toEqual(["agent-writer"]);
  });

  it("changes when a secret value rotates, through an HMAC fingerprint only", () => {
    const a = compile(makeFleet(threeAgents()), opts);
    const rotated = threeAgents();
    rotated.env = { ...rotated.env, OPENLEGION_CRED_BRAVE_API_KEY: "brave-rotated" };
    const b = compile(makeFleet(rotated), opts);
    const differs = Object.keys(a.compose.services).filter(
      (n) =>
        a.compose.services[n]?.labels[LABEL.configHash] !== b.compose.services[n]?.labels[LABEL.configHash],
    );
    expect(differs).toEqual(["egress-proxy"]);
    expect(serialize(b)).not.toContain("brave-rotated");
  });
});

describe("compile: the proxy's model allowlist", () => {
  const proxyModelsOf = (input: Parameters<typeof makeFleet>[0]) => {
    const files = compile(makeFleet(input), opts).files;
    const config = JSON.parse(files.get("compose/egress-proxy/config.json")!);
    return config.agents.solo.models as string[];
  };

  it("lets agents embed with the fleet's embedding model when its provider already has a key", () => {
    const models = proxyModelsOf({ agents: { agents: { solo: { model: "openai/gpt-4o-mini" } } } });
    expect(models).toEqual(["openai/gpt-4o-mini", "openai/text-embedding-3-small"]);
  });

  it("does not demand another provider's key just for embeddings (memory falls back to full-text)", () => {
    const models = proxyModelsOf({
      agents: { agents: { solo: { model: "anthropic/claude-haiku-4-5" } } },
      env: { OPENLEGION_CRED_ANTHROPIC_API_KEY: "sk-ant-test" },
    });
    expect(models).toEqual(["anthropic/claude-haiku-4-5"]);
  });
});

describe("compile: MCP servers", () => {
  const withMcp = (): ReturnType<typeof oneAgent> => {
    const input = oneAgent();
    const agents = input.agents as { agents: Record<string, Record<string, unknown>> };
    agents.agents.researcher!.mcp_servers = [
      {
        name: "github",
        command: "mcp-server-github",
        env: { LOG: "quiet" },
        secret_env: { GITHUB_TOKEN: "GITHUB_PAT" },
        timeout_s: 30,
      },
    ];
    return { ...input, env: { OPENLEGION_CRED_GITHUB_PAT: "ghp-secret-value" } };
  };

  it("passes servers to the manifest with secret env as file names, mounted into that agent only", () => {
    const model = compile(makeFleet(withMcp()), opts);
    const manifest = JSON.parse(
      [...trackedOutputs(model).entries()].find(([p]) => p.endsWith("agent-researcher/manifest.json"))![1],
    );
    expect(manifest.mcp_servers).toEqual([
      {
        name: "github",
        command: "mcp-server-github",
        args: [],
        env: { LOG: "quiet" },
        secret_env: { GITHUB_TOKEN: "cred_github_pat" },
        timeout_s: 30,
      },
    ]);
    const mounted = (svc: string) => (model.compose.services[svc]?.secrets ?? []).map((s) => s.source);
    expect(mounted("agent-researcher")).toContain("cred_github_pat");
    expect(mounted("egress-proxy")).not.toContain("cred_github_pat");
    expect(model.secrets.values.get("cred_github_pat")).toBe("ghp-secret-value");
    expect([...trackedOutputs(model).values()].join("\n")).not.toContain("ghp-secret-value");
  });

  it("issue 18: a remote server becomes a proxy API of kind mcp; its bearer is mounted into the proxy only", () => {
    const input = oneAgent();
    const agents = input.agents as { agents: Record<string, Record<string, unknown>> };
    agents.agents.researcher!.allowed_hosts = ["mcp.example.com"];
    agents.agents.researcher!.mcp_servers = [
      { name: "docs", url: "https://mcp.example.com/v1/mcp", credential: "DOCS_MCP_TOKEN", transport: "sse" },
    ];
    const model = compile(
      makeFleet({ ...input, env: { OPENLEGION_CRED_DOCS_MCP_TOKEN: "docs-bearer-value" } }),
      opts,
    );
    const outputs = trackedOutputs(model);
    const manifest = JSON.parse(
      [...outputs.entries()].find(([p]) => p.endsWith("agent-researcher/manifest.json"))![1],
    );
    expect(manifest.mcp_servers).toEqual([
      {
        name: "docs",
        url: "https://mcp.example.com/v1/mcp",
        transport: "sse",
        args: [],
        env: {},
        secret_env: {},
        timeout_s: 60,
      },
    ]);
    const proxy = JSON.parse(model.files.get("compose/egress-proxy/config.json")!);
    expect(proxy.apis["mcp.researcher.docs"]).toEqual({
      base_url: "https://mcp.example.com",
      credential: "DOCS_MCP_TOKEN",
      kind: "mcp",
    });
    expect(proxy.agents.researcher.allowed_apis).toContain("mcp.researcher.docs");
    const mounted = (svc: string) => (model.compose.services[svc]?.secrets ?? []).map((s) => s.source);
    expect(mounted("egress-proxy")).toContain("cred_docs_mcp_token");
    expect(mounted("agent-researcher")).not.toContain("cred_docs_mcp_token");
    expect([...outputs.values()].join("\n")).not.toContain("docs-bearer-value");
  });

  it("refuses to render when .env lacks an MCP server's secret", () => {
    expect(() => compile(makeFleet({ ...withMcp(), env: {} }), opts)).toThrow(
      /OPENLEGION_CRED_GITHUB_PAT \(needed by mcp server researcher\/github\)/,
    );
  });
});

describe("compile: local providers (free unless priced)", () => {
  const proxyOf = (providers: Record<string, unknown>, model: string) => {
    const model_ = compile(
      makeFleet({
        agents: { agents: { solo: { model } } },
        mesh: { providers },
      }),
      opts,
    );
    const text = model_.files.get("compose/egress-proxy/config.json") ?? "{}";
    return JSON.parse(text).providers as Record<string, { local?: boolean }>;
  };

  it("marks a provider named ollama local by default, and any provider with local: true", () => {
    const base = "http://ollama.internal:11434";
    expect(
      proxyOf({ ollama: { api: "openai-compatible", base_url: base } }, "ollama/llama3").ollama?.local,
    ).toBe(true);
    expect(
      proxyOf({ ollama: { api: "openai-compatible", base_url: base, local: false } }, "ollama/llama3").ollama
        ?.local,
    ).toBeUndefined();
    expect(
      proxyOf({ lab: { api: "openai-compatible", base_url: base, local: true } }, "lab/qwen").lab?.local,
    ).toBe(true);
    expect(proxyOf({}, "openai/gpt-4o-mini").openai?.local).toBeUndefined();
  });
});
