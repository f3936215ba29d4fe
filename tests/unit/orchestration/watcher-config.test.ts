import { describe, expect, it } from "vitest";
import type { MeshConfig } from "../../../services/common/contracts/mesh-config.js";
import { orchestrationConfig } from "../../../services/mesh/modules/orchestration/plugin/config.js";

const base: MeshConfig = {
  version: 1,
  agents: {},
  proxy_admin_url: "http://egress-proxy:8480",
  workflows: [],
  schedules: [],
  heartbeats: [],
  webhooks: [],
  watchers: [],
  channels: {},
};

describe("watchers in the compiled mesh config", () => {
  it("polls the directory where render mounted it inside the mesh, not the host path", () => {
    const config = orchestrationConfig({
      ...base,
      watchers: [
        {
          path: "./inbox",
          mount: "/watch/0",
          pattern: "*.csv",
          agent: "researcher",
          message: "new {filename}",
          interval: "10s",
        },
      ],
    });
    expect(config.watchers.map((w) => w.path)).toEqual(["/watch/0"]);
  });

  it("polls the configured path when no mount was rendered (mesh run outside Compose)", () => {
    const config = orchestrationConfig({
      ...base,
      watchers: [
        { path: "/srv/inbox", pattern: "*", agent: "researcher", message: "new {filename}", interval: "10s" },
      ],
    });
    expect(config.watchers.map((w) => w.path)).toEqual(["/srv/inbox"]);
  });
});
