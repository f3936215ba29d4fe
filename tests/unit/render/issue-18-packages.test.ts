import { describe, expect, it } from "vitest";
import { aptLines, parseAptLock } from "../../../generator/docker/packages-image.js";
import { compile } from "../../../generator/render/index.js";
import {
  npmManifest,
  PACKAGES_IMAGE_REPO,
  splitNpmSpec,
  TOOLBOX_APT,
} from "../../../generator/render/packages.js";
import { makeFleet, oneAgent } from "../../fixtures/render/fleet.js";

const opts = { toolVersion: "0.1.0" };

/** The researcher of the one-agent fixture with `over` merged into its agents.yaml entry. */
function fleetWith(over: Record<string, unknown>, second?: Record<string, unknown>) {
  const input = oneAgent();
  const agents = input.agents as { agents: Record<string, Record<string, unknown>> };
  Object.assign(agents.agents.researcher!, over);
  if (second) agents.agents.writer = second;
  return makeFleet(input);
}
const serviceOf = (fleet: ReturnType<typeof makeFleet>, id: string) =>
  compile(fleet, opts).compose.services[`agent-${id}`]!;

describe("issue 18: packages and the toolbox profile in render", () => {
  it("an agent with packages runs on the fleet's derived image, hardened like any agent", () => {
    const fleet = fleetWith({ image_packages: { apt: ["jq"], npm: ["cowsay@1.6.0"] } }, { role: "plain" });
    const agent = serviceOf(fleet, "researcher");
    expect(agent.image).toMatch(new RegExp(`^${PACKAGES_IMAGE_REPO}:0\\.1\\.0-[0-9a-f]{12}$`));
    expect(agent).toMatchObject({ read_only: true, user: "1000:1000", cap_drop: ["ALL"] });
    // An agent that asks for nothing keeps the plain image.
    expect(serviceOf(fleet, "writer").image).toBe("openlegion/agent:0.1.0");
    // Same request, same name; another request, another name.
    expect(
      serviceOf(fleetWith({ image_packages: { apt: ["jq"], npm: ["cowsay@1.6.0"] } }), "researcher").image,
    ).toBe(agent.image);
    expect(serviceOf(fleetWith({ image_packages: { apt: ["jq", "git"] } }), "researcher").image).not.toBe(
      agent.image,
    );
  });

  it("image: toolbox is the derived image with the toolbox's Debian packages", () => {
    const toolbox = serviceOf(fleetWith({ image: "toolbox" }), "researcher");
    const same = serviceOf(fleetWith({ image_packages: { apt: TOOLBOX_APT } }), "researcher");
    expect(toolbox.image).toBe(same.image);
    expect(toolbox).toMatchObject({ read_only: true, user: "1000:1000" });
    expect(TOOLBOX_APT).toEqual(
      expect.arrayContaining([
        "python3",
        "python3-pip",
        "git",
        "curl",
        "jq",
        "sqlite3",
        "ripgrep",
        "build-essential",
      ]),
    );
  });

  it("an MCP server's package is baked too", () => {
    const fleet = fleetWith({
      mcp_servers: [
        {
          name: "filesystem",
          package: "@modelcontextprotocol/server-filesystem@2026.8.31",
          command: "mcp-server-filesystem",
          args: ["/data"],
        },
      ],
    });
    expect(serviceOf(fleet, "researcher").image).toMatch(/^openlegion\/agent-packages:/);
  });
});

describe("issue 18: the packages lock", () => {
  it("splits npm specs and writes the dependencies they ask for", () => {
    expect(splitNpmSpec("@scope/pkg@^1.2")).toEqual(["@scope/pkg", "^1.2"]);
    expect(splitNpmSpec("@scope/pkg")).toEqual(["@scope/pkg", "latest"]);
    expect(splitNpmSpec("left-pad@1.3.0")).toEqual(["left-pad", "1.3.0"]);
    expect(npmManifest({ apt: [], npm: ["b@2", "@a/x@1"] }).dependencies).toEqual({ "@a/x": "1", b: "2" });
  });

  it("installs each Debian package at its locked version unless the config pins one", () => {
    const lock = {
      version: 1 as const,
      request: { apt: [], npm: [] },
      apt: { jq: "1.6-2.1", git: "1:2.39.5-0" },
      npm_lock: null,
    };
    expect(aptLines({ apt: ["git", "jq=1.7", "curl"], npm: [] }, lock)).toEqual([
      "git=1:2.39.5-0",
      "jq=1.7",
      "curl",
    ]);
    expect(aptLines({ apt: ["git"], npm: [] }, undefined)).toEqual(["git"]);
    expect(parseAptLock("jq=1.6-2.1\ngit=1:2.39.5-0\n\n")).toEqual({ jq: "1.6-2.1", git: "1:2.39.5-0" });
  });
});
