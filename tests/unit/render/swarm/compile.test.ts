import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { schemaFindings } from "../../../../generator/lint/schemas.js";
import {
  compile,
  compileStack,
  mainOutput,
  type StackFile,
  trackedOutputs,
} from "../../../../generator/render/index.js";
import { type FleetInput, makeFleet, oneAgent, threeAgents } from "../../../fixtures/render/fleet.js";

const opts = { toolVersion: "0.1.0" };
type AgentsInput = { agents: Record<string, Record<string, unknown>> };
/** threeAgents without host directories (skills_dir, watchers): what a multi-node fleet can carry. */
function swarmFleet(): FleetInput {
  const input = threeAgents();
  for (const agent of Object.values((input.agents as AgentsInput).agents)) delete agent.skills_dir;
  return { ...input, watchers: undefined };
}
const modelOf = (input = swarmFleet()) => compile(makeFleet(input), opts);
const stackOf = (input = swarmFleet()): StackFile => compileStack(modelOf(input));

describe("compileStack: derived from the single-host model", () => {
  it("keeps images, environment, networks, healthchecks and users of every compose service", () => {
    const model = modelOf();
    const stack = compileStack(model);
    expect(Object.keys(stack.services)).toEqual(Object.keys(model.compose.services));
    for (const [name, s] of Object.entries(model.compose.services)) {
      const t = stack.services[name]!;
      expect(t.image, name).toBe(s.image);
      expect(t.environment).toEqual(s.environment);
      expect(t.networks).toEqual(s.networks);
      expect(t.healthcheck).toEqual(s.healthcheck);
      expect(t).toMatchObject({ user: "1000:1000", read_only: true, init: true, cap_drop: ["ALL"] });
      expect(t.deploy.resources.limits).toEqual({
        cpus: String(s.cpus),
        memory: s.mem_limit,
        pids: s.pids_limit,
      });
      expect(t.deploy.resources.reservations.memory).toBe(s.mem_limit);
      // One task at a time, ever: SQLite files and single-consumer channel connections.
      expect(t.deploy).toMatchObject({
        replicas: 1,
        endpoint_mode: "dnsrr",
        update_config: { order: "stop-first", failure_action: "rollback" },
        restart_policy: { condition: "any" },
      });
      expect(t.volumes).toContainEqual({ type: "volume", source: `${name}-data`, target: "/data" });
      expect(t.volumes).toContainEqual({ type: "tmpfs", target: "/tmp", tmpfs: { size: 64 * 1024 * 1024 } });
    }
  });

  it("pins mesh and proxy to core nodes, agents to agent nodes, and publishes only the mesh in host mode", () => {
    const s = stackOf().services;
    expect(s.mesh?.deploy.placement.constraints).toEqual(["node.labels.openlegion.role == core"]);
    expect(s["egress-proxy"]?.deploy.placement.constraints).toEqual(["node.labels.openlegion.role == core"]);
    expect(s["agent-writer"]?.deploy.placement.constraints).toEqual([
      "node.labels.openlegion.role == agents",
    ]);
    expect(s.mesh?.ports).toEqual([{ target: 8420, published: 8421, protocol: "tcp", mode: "host" }]);
    for (const [name, svc] of Object.entries(s)) if (name !== "mesh") expect(svc.ports, name).toBeUndefined();
    expect(s["egress-proxy"]?.sysctls).toEqual({ "net.ipv4.ip_forward": "0" });
  });

  it("makes every network an encrypted, non-attachable overlay; only egress and ingress leave the node", () => {
    const model = modelOf();
    const nets = compileStack(model).networks;
    for (const [name, n] of Object.entries(nets)) {
      expect(n, name).toMatchObject({
        driver: "overlay",
        driver_opts: { encrypted: "true" },
        attachable: false,
      });
      const internal = !["egress", "ingress"].includes(name);
      expect(n.internal === true, name).toBe(internal);
      // Same subnets as the single-host file: the mesh's config (shared compose/ files) binds tokens to them.
      expect(n.ipam).toEqual(model.compose.networks[name]!.ipam);
    }
  });

  it("ships generated files as Swarm configs and secrets under content-named keys", () => {
    const model = modelOf();
    const stack = compileStack(model);
    const agent = stack.services["agent-writer"]!;
    expect(agent.configs?.map((c) => c.target).sort()).toEqual(
      [...model.files.keys()]
        .filter((p) => p.startsWith("compose/agent-writer/"))
        .map((p) => `/etc/openlegion/${p.slice("compose/agent-writer/".length)}`)
        .sort(),
    );
    for (const ref of agent.configs ?? [])
      expect(stack.configs[ref.source]?.file).toMatch(/^\.\/compose\/agent-writer\//);
    expect(agent.secrets?.map((s) => s.target).sort()).toEqual(["agent_token", "mesh_token"]);
    for (const ref of agent.secrets ?? []) {
      expect(ref).toMatchObject({ uid: "1000", gid: "1000", mode: 0o400 });
      expect(ref.source).toMatch(/^(agent|mesh)_token_writer-[0-9a-f]{10}$/);
    }
    // No bind mount of the host anywhere: a task may run on any node.
    for (const svc of Object.values(stack.services))
      for (const v of svc.volumes) expect(v.type).not.toBe("bind");
  });

  it("renames a secret when its value rotates (a new Swarm secret plus a rolling update)", () => {
    const before = stackOf(oneAgent()).services["egress-proxy"]!.secrets!.map((s) => s.source);
    const rotated = oneAgent();
    rotated.env = { OPENLEGION_CRED_OPENAI_API_KEY: "sk-rotated" };
    const after = stackOf(rotated).services["egress-proxy"]!.secrets!.map((s) => s.source);
    const changed = after.filter((s) => !before.includes(s));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/^cred_openai_api_key-/);
  });

  it("refuses a host directory bind (skills_dir) that cannot follow a task to another node", () => {
    const input = oneAgent();
    (input.agents as AgentsInput).agents.researcher!.skills_dir = "./skills";
    expect(() => stackOf(input)).toThrow(
      expect.objectContaining({ code: "OL_ERR_RENDER_SWARM_UNSUPPORTED" }),
    );
  });
});

describe("docker-stack.yml", () => {
  it("is byte-stable and validates against the Compose Specification schema", () => {
    const model = modelOf();
    const [name, text] = mainOutput(model, "swarm");
    expect(name).toBe("docker-stack.yml");
    expect(mainOutput(modelOf(), "swarm")[1]).toBe(text);
    expect(text.split("\n")[1]).toContain("--target swarm");
    expect(schemaFindings("spec", parse(text, { version: "1.1" }))).toEqual([]);
    // The swarm target tracks the stack file and the shared compose/ files, not docker-compose.yml.
    const tracked = [...trackedOutputs(model, "swarm").keys()];
    expect(tracked).toContain("docker-stack.yml");
    expect(tracked).not.toContain("docker-compose.yml");
  });

  it("holds no secret value and no absolute host path", () => {
    const model = modelOf();
    const text = mainOutput(model, "swarm")[1];
    for (const value of model.secrets.values.values()) expect(text).not.toContain(value);
    expect(text).not.toMatch(/file: \//);
  });
});
