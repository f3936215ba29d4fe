import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { fetch as undiciFetch } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { MESH_EGRESS_ID } from "../../../services/common/ports.js";
import { agentToken } from "../../../services/common/tokens.js";
import { ChannelEgress } from "../../../services/mesh/modules/channels/egress.js";
import { MASTER } from "../mesh/helpers.js";
import { type ChannelProxy, startChannelProxy } from "./helpers.js";

const TOKEN = "555555555:AAInjectedTokenNeverSeenByTheMesh_0123";
const MESH = { authorization: `Bearer ${agentToken(MASTER, MESH_EGRESS_ID)}` };

/** An upstream that records what it got and answers as a platform that echoes its URL (many do in errors). */
async function upstream(status: number) {
  const seen: { url: string; authorization: string | undefined }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
    req.resume();
    res.writeHead(status, { "content-type": "application/json", location: `${req.url}?again=1` });
    res.end(
      JSON.stringify({
        ok: status < 300,
        description: `you called ${req.url} with ${req.headers.authorization}`,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let proxy: ChannelProxy | undefined;
let up: Awaited<ReturnType<typeof upstream>> | undefined;
afterEach(async () => {
  await proxy?.close();
  await up?.close();
  proxy = undefined;
  up = undefined;
});

describe("issue 17: the proxy holds channel tokens and injects them", () => {
  it("writes Telegram's token into the path and never lets it back out (body, Location), even on errors", async () => {
    up = await upstream(401);
    proxy = await startChannelProxy({ apis: { _telegram: up.url }, secrets: { TELEGRAM_BOT_TOKEN: TOKEN } });
    const res = await fetch(`${proxy.url}/api/_telegram/getMe`, {
      method: "POST",
      headers: MESH,
      body: "{}",
    });
    expect(up.seen[0]?.url).toBe(`/bot${TOKEN}/getMe`);
    // The mesh's own token is gone before the platform sees the request.
    expect(up.seen[0]?.authorization).toBeUndefined();
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain("you called");
    expect(text).not.toContain(TOKEN);
    expect(res.headers.get("location") ?? "").not.toContain(TOKEN);
  });

  it("injects Slack's and WhatsApp's bearer as a header with its scheme", async () => {
    up = await upstream(200);
    proxy = await startChannelProxy({
      apis: { _slack: up.url, _whatsapp: up.url },
      secrets: { SLACK_BOT_TOKEN: "xoxb-injected-slack", WHATSAPP_ACCESS_TOKEN: "EAAG-injected-wa" },
    });
    expect((await fetch(`${proxy.url}/api/_slack/auth.test`, { method: "POST", headers: MESH })).status).toBe(
      200,
    );
    expect((await fetch(`${proxy.url}/api/_whatsapp/v21.0/123`, { headers: MESH })).status).toBe(200);
    expect(up.seen.map((s) => s.authorization)).toEqual([
      "Bearer xoxb-injected-slack",
      "Bearer EAAG-injected-wa",
    ]);
  });

  it("default deny: no token or an agent's token gets nothing; the mesh gets no model and no other host", async () => {
    up = await upstream(200);
    proxy = await startChannelProxy({ apis: { _telegram: up.url }, secrets: { TELEGRAM_BOT_TOKEN: TOKEN } });
    expect((await fetch(`${proxy.url}/api/_telegram/getMe`)).status).toBe(401);
    const agent = { authorization: `Bearer ${agentToken(MASTER, "alice")}` };
    expect((await fetch(`${proxy.url}/api/_telegram/getMe`, { headers: agent })).status).toBe(401);
    expect(up.seen).toEqual([]);
    const llm = await fetch(`${proxy.url}/llm/openai/v1/chat/completions`, {
      method: "POST",
      headers: { ...MESH, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [] }),
    });
    expect(llm.status).toBeGreaterThanOrEqual(400);
    // CONNECT only to the mesh's allowed_hosts (none here): the tunnel is refused, nothing reaches the host.
    const egress = new ChannelEgress(proxy.url, MASTER);
    await expect(undiciFetch(`${up.url}/x`, { dispatcher: egress.tunnel })).rejects.toThrow();
    await egress.close();
    expect(up.seen).toEqual([]);
  });
});
