import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../egress-proxy/harness.js";
import { type Harness, runTask, startHarness, toolMessages } from "./harness.js";

// Issue 18 item 5: a skill's only way out is ol.http, i.e. the real egress proxy under the agent's
// allowlist; the origin never sees the agent's token.
let stack: Stack | undefined;
let h: Harness | undefined;
let origin: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  await stack?.close();
  if (origin) await new Promise((r) => origin?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
  h = stack = origin = dir = undefined;
});

describe("a skill's ol.http goes through the real egress proxy", () => {
  it("reaches an allowed host, is refused another, and never carries the agent's token", async () => {
    const seen: IncomingHttpHeaders[] = [];
    origin = createServer((req, res) => {
      seen.push(req.headers);
      res.end(`origin saw ${req.url}`);
    });
    await new Promise<void>((r) => origin?.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    stack = await startStack((c) => {
      const alice = c.agents.alice;
      if (alice) alice.allowed_hosts = [new URL(url).host];
      c.allow_private_cidrs = ["127.0.0.0/8"];
    });
    dir = await mkdtemp(join(tmpdir(), "ol-skills-proxy-"));
    await writeFile(
      join(dir, "fetch_two.js"),
      `export const manifest = { name: "fetch_two", description: "fetches", input_schema: { type: "object" } };
export async function handler(input, ol) {
  const ok = await ol.http({ url: input.ok, headers: { "proxy-authorization": "Bearer stolen" } });
  const refused = await ol.http({ url: "http://localhost:1/x" }).then(() => "reached", (e) => String(e.message));
  return { ok: ok.body, refused };
}
`,
    );
    h = await startHarness(
      { id: "alice", proxy_url: stack.url, skills_dir: dir },
      { fake: stack.fake, agentToken: stack.token("alice") },
    );
    stack.fake.script(
      "openai",
      { toolCalls: [{ name: "skill_fetch_two", args: { ok: `${url}/hello` } }] },
      { text: "fetched" },
    );
    expect((await runTask(h, "fetch")).status).toBe("completed");
    const result = JSON.parse(toolMessages(stack.fake.requests.at(-1))[0] ?? "{}");
    expect(result.ok).toBe("origin saw /hello");
    expect(result.refused).toContain("OL_ERR_PROXY_HOST_FORBIDDEN");
    const token = stack.token("alice");
    for (const headers of seen) expect(JSON.stringify(headers)).not.toContain(token);
    expect(seen.every((hd) => hd["proxy-authorization"] === undefined)).toBe(true);
  });
});
