import { describe, expect, it } from "vitest";
import { compile, trackedOutputs } from "../../../generator/render/index.js";
import { agentManifestSchema } from "../../../services/common/contracts/agent-manifest.js";
import { makeFleet, oneAgent } from "../../fixtures/render/fleet.js";

const opts = { toolVersion: "0.1.0" };

function browsing(backend?: string) {
  const input = oneAgent();
  if (backend)
    (input.agents as { agents: Record<string, Record<string, unknown>> }).agents.researcher!.browser_backend =
      backend;
  return compile(makeFleet(input), opts);
}

const manifestOf = (model: ReturnType<typeof compile>) =>
  agentManifestSchema.parse(
    JSON.parse(
      [...trackedOutputs(model).entries()].find(([p]) => p.endsWith("agent-researcher/manifest.json"))![1],
    ),
  );

describe("issue 19: the browser sidecar of an agent that sets browser_backend", () => {
  it("is rendered hardened, on the agent's own network only, without secrets, data volume or ports", () => {
    const model = browsing("basic");
    const s = model.compose.services["browser-researcher"];
    // The agent's own (slot) network: the one agent-researcher joins.
    const own = model.compose.services["agent-researcher"]?.networks;
    expect(own).toHaveLength(1);
    expect(s).toMatchObject({
      image: "openlegion/browser:0.1.0",
      networks: own,
      user: "1000:1000",
      read_only: true,
      cap_drop: ["ALL"],
      security_opt: ["no-new-privileges:true"],
      mem_limit: "1g",
      memswap_limit: "1g",
      pids_limit: 256,
      volumes: [],
      tmpfs: ["/tmp:size=512m,nosuid,nodev"],
    });
    expect(s).not.toHaveProperty("secrets");
    expect(s).not.toHaveProperty("ports");
    expect(JSON.stringify(s)).not.toMatch(/TOKEN|MASTER|CRED/);
    expect(manifestOf(model).browser_url).toBe("ws://browser-researcher:9480/playwright");
  });

  it("is absent, with no browser_url, when the agent does not set browser_backend", () => {
    const model = browsing();
    expect(Object.keys(model.compose.services).filter((n) => n.startsWith("browser-"))).toEqual([]);
    expect(manifestOf(model).browser_url).toBeUndefined();
    expect(manifestOf(model).browser_backend).toBe("basic");
  });
});
