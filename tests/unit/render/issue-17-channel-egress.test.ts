import { describe, expect, it } from "vitest";
import { compile } from "../../../generator/render/index.js";
import { proxyConfigSchema } from "../../../services/common/contracts/proxy-config.js";
import { resolveConfig } from "../../../services/egress-proxy/config.js";
import { makeFleet, threeAgents } from "../../fixtures/render/fleet.js";

const opts = { toolVersion: "0.1.0" };

/** threeAgents with every channel enabled (Slack over Socket Mode) and each token in `.env`. */
function allChannels() {
  const input = threeAgents();
  const mesh = input.mesh as Record<string, unknown>;
  mesh.channels = {
    telegram: {},
    discord: {},
    slack: {},
    whatsapp: { phone_number_id: "106540352242922" },
  };
  Object.assign(input.env as Record<string, string>, {
    OPENLEGION_CRED_DISCORD_BOT_TOKEN: "discord-test-token",
    OPENLEGION_CRED_SLACK_BOT_TOKEN: "xoxb-test",
    OPENLEGION_CRED_SLACK_APP_TOKEN: "xapp-test",
    OPENLEGION_CRED_WHATSAPP_ACCESS_TOKEN: "EAAG-test",
    OPENLEGION_CRED_WHATSAPP_APP_SECRET: "wa-secret-test",
    OPENLEGION_CRED_WHATSAPP_VERIFY_TOKEN: "wa-verify-test",
  });
  return input;
}

describe("issue 17: channels leave through the egress proxy", () => {
  const model = compile(makeFleet(allChannels()), opts);
  const proxy = proxyConfigSchema.parse(JSON.parse(model.files.get("compose/egress-proxy/config.json")!));
  const mounted = (svc: string) => (model.compose.services[svc]?.secrets ?? []).map((s) => s.source).sort();

  it("renders the mesh's proxy identity: only the channel APIs and the tunnel hosts, inside the fleet's pool", () => {
    expect(proxy.mesh).toEqual({
      allowed_apis: ["_slack", "_slack_app", "_telegram", "_whatsapp"],
      allowed_hosts: ["*.discord.gg:443", "*.slack.com:443", "discord.com:443", "gateway.discord.gg:443"],
      subnet: "10.231.0.0/16",
    });
    expect(proxy.apis._telegram).toEqual({
      base_url: "https://api.telegram.org",
      credential: "TELEGRAM_BOT_TOKEN",
      path_prefix: "bot",
    });
    expect(proxy.apis._whatsapp).toMatchObject({ header: "Authorization", scheme: "Bearer" });
    // No agent may call them: they are the mesh's.
    for (const agent of Object.values(proxy.agents))
      expect(agent.allowed_apis.filter((a) => a.startsWith("_"))).toEqual([]);
    // The proxy accepts what render wrote, with `_mesh` as one more identity.
    expect(resolveConfig(proxy).agents.get("_mesh")?.models.size).toBe(0);
  });

  it("mounts the tokens the proxy injects into the proxy only; the mesh keeps what verifies inbound calls", () => {
    expect(mounted("egress-proxy")).toEqual(
      expect.arrayContaining([
        "cred_slack_app_token",
        "cred_slack_bot_token",
        "cred_telegram_bot_token",
        "cred_whatsapp_access_token",
      ]),
    );
    expect(mounted("mesh")).toEqual([
      "cred_crm_webhook_secret",
      "cred_discord_bot_token",
      "cred_whatsapp_app_secret",
      "cred_whatsapp_verify_token",
      "master_key",
    ]);
    for (const svc of Object.keys(model.compose.services).filter((s) => s.startsWith("agent-")))
      expect(mounted(svc).filter((s) => s.startsWith("cred_"))).toEqual([]);
  });

  it("adding channels changes no agent's service definition (so `up -d` leaves the agents running)", () => {
    const without = threeAgents();
    (without.mesh as Record<string, unknown>).channels = {};
    const before = compile(makeFleet(without), opts).compose.services;
    const after = model.compose.services;
    const agents = Object.keys(before).filter((s) => s.startsWith("agent-"));
    expect(agents.length).toBe(3);
    for (const svc of agents) expect(after[svc], svc).toEqual(before[svc]);
    // The mesh and the proxy do change (new secrets, new config): those two are recreated.
    expect(after.mesh).not.toEqual(before.mesh);
    expect(after["egress-proxy"]).not.toEqual(before["egress-proxy"]);
  });

  it("a fleet without channels gives the mesh no identity at the proxy", () => {
    const input = threeAgents();
    (input.mesh as Record<string, unknown>).channels = {};
    const files = compile(makeFleet(input), opts).files;
    const config = JSON.parse(files.get("compose/egress-proxy/config.json")!) as Record<string, unknown>;
    expect(config.mesh).toBeUndefined();
    expect(Object.keys(config.apis as object).filter((a) => a.startsWith("_"))).toEqual([]);
  });
});
