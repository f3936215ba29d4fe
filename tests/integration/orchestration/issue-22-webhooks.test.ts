import { afterEach, describe, expect, it } from "vitest";
import { webhookSecret } from "../../../services/mesh/modules/orchestration/plugin/routes-triggers.js";
import { MAX_RAW_CHARS } from "../../../services/mesh/modules/orchestration/webhook/payload.js";
import { signGithub } from "../../../services/mesh/modules/orchestration/webhook/verify.js";
import {
  FakeAgent,
  type Harness,
  MASTER,
  meshConfig,
  OPERATOR,
  perms,
  removeDir,
  startMesh,
  tempDir,
  until,
} from "../mesh/helpers.js";

/** Issue 22 item 4: non-JSON webhook bodies are delivered as {raw}, and each hook counts its deliveries. */
describe("issue 22: webhooks like the seed's", () => {
  let mesh: Harness | undefined;
  let agent: FakeAgent | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await mesh?.close();
    await agent?.stop();
    for (const d of dirs.splice(0)) removeDir(d);
  });

  const boot = async (dir: string) => {
    const config = meshConfig({ research: { permissions: perms(), url: agent!.url } });
    config.webhooks = [{ name: "form", agent: "research", message: "form: {payload}" }];
    mesh = await startMesh(config, { dir });
  };
  const post = (body: Buffer, id: string, type = "application/x-www-form-urlencoded") =>
    mesh!.app.inject({
      method: "POST",
      url: "/webhook/hook/form",
      headers: {
        "content-type": type,
        "x-hub-signature-256": signGithub(webhookSecret(MASTER, "form", 1), body),
        "x-github-delivery": id,
      },
      payload: body,
    });
  const payloads = () =>
    agent!.deliveries
      .flatMap((d) => d.messages)
      .map((m) => (typeof m.payload === "string" ? JSON.parse(m.payload) : m.payload) as { payload: unknown })
      .map((m) => m.payload);
  const listed = async () =>
    (await mesh!.app.inject({ url: "/v1/webhooks", headers: OPERATOR })).json().webhooks[0] as {
      deliveries: number;
      last_delivery_at: number | null;
    };

  it("a form post arrives as {raw}, a huge text is capped, and the count survives a mesh restart", async () => {
    agent = await new FakeAgent("research").start();
    const dir = tempDir();
    dirs.push(dir);
    await boot(dir);
    expect(await listed()).toEqual(expect.objectContaining({ deliveries: 0, last_delivery_at: null }));

    expect((await post(Buffer.from("name=Ada&plan=pro"), "d1")).statusCode).toBe(202);
    const big = "x".repeat(MAX_RAW_CHARS + 500);
    expect((await post(Buffer.from(big), "d2", "text/plain")).statusCode).toBe(202);
    // A replayed delivery id does nothing and is not counted.
    expect((await post(Buffer.from("name=Ada&plan=pro"), "d1")).json()).toMatchObject({ duplicate: true });
    await until(() => payloads().length === 2);
    expect(payloads()[0]).toEqual({ raw: "name=Ada&plan=pro" });
    expect(payloads()[1]).toEqual({ raw: "x".repeat(MAX_RAW_CHARS), truncated: true });
    const counted = await listed();
    expect(counted.deliveries).toBe(2);
    expect(counted.last_delivery_at).toBeGreaterThan(0);

    await mesh!.close();
    await boot(dir);
    expect((await listed()).deliveries).toBe(2);
  });
});
