import { afterEach, describe, expect, it } from "vitest";
import { addressOf, as, type Harness, meshConfig, OPERATOR, perms, removeDir, startMesh } from "./helpers.js";

const config = meshConfig({
  researcher: {
    permissions: perms({
      can_message: ["orchestrator"],
      can_publish: ["research_complete"],
      can_subscribe: ["new_lead"],
    }),
  },
  orchestrator: {
    permissions: perms({ can_message: ["*"], can_publish: ["new_lead"], can_subscribe: ["research_*"] }),
  },
  qualify: { permissions: perms({ can_subscribe: ["new_lead"] }) },
});
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
});

const call = (
  agent: string,
  method: "GET" | "POST" | "DELETE",
  url: string,
  payload?: Record<string, unknown>,
) =>
  h!.app.inject({
    method,
    url,
    headers: as(agent),
    remoteAddress: addressOf(config, agent),
    ...(payload ? { payload } : {}),
  });

describe("pub/sub and direct messages", () => {
  it("fans a publish out to permitted subscribers, durably, in order", async () => {
    h = await startMesh(config);
    // can_subscribe names new_lead literally, so the mesh subscribed it at boot: this call is a no-op.
    expect((await call("researcher", "POST", "/v1/subscriptions", { topic: "new_lead" })).statusCode).toBe(
      200,
    );
    expect((await call("researcher", "POST", "/v1/subscriptions", { topic: "new_lead" })).json()).toEqual({
      topic: "new_lead",
      created: false,
    });
    await call("qualify", "POST", "/v1/subscriptions", { topic: "new_lead" });
    for (const n of [1, 2]) {
      const pub = await call("orchestrator", "POST", "/v1/publish", { topic: "new_lead", payload: { n } });
      expect(pub.statusCode).toBe(202);
      expect(pub.json()).toEqual({ topic: "new_lead", queued: 2, runs: [] });
    }
    const inbox = (await call("researcher", "GET", "/v1/inbox")).json();
    expect(
      inbox.messages.map((m: { payload: unknown; from: string; kind: string; lane: string }) => [
        m.kind,
        m.from,
        m.lane,
        m.payload,
      ]),
    ).toEqual([
      ["publish", "orchestrator", "followup", { n: 1 }],
      ["publish", "orchestrator", "followup", { n: 2 }],
    ]);
    expect((await call("qualify", "GET", "/v1/subscriptions")).json()).toEqual({ topics: ["new_lead"] });
    expect((await call("qualify", "DELETE", "/v1/subscriptions?topic=new_lead")).json()).toEqual({
      topic: "new_lead",
      removed: true,
    });
  });

  it("denies subscribe and publish outside the matrix, with the rule", async () => {
    h = await startMesh(config);
    const sub = await call("researcher", "POST", "/v1/subscriptions", { topic: "secret_topic" });
    expect(sub.json()).toMatchObject({
      statusCode: 403,
      code: "OL_ERR_MESH_DENIED",
      message: 'can_subscribe has no pattern matching "secret_topic"',
    });
    const pub = await call("researcher", "POST", "/v1/publish", { topic: "new_lead", payload: 1 });
    expect(pub.json()).toMatchObject({
      statusCode: 403,
      message: 'can_publish has no pattern matching "new_lead"',
    });
    const bad = await call("researcher", "POST", "/v1/subscriptions", { topic: "bad topic" });
    expect(bad.json()).toMatchObject({ statusCode: 400, code: "OL_ERR_MESH_BAD_TOPIC" });
  });

  it("routes direct messages by can_message, with lanes, and acks by pull", async () => {
    h = await startMesh(config);
    const ok = await call("researcher", "POST", "/v1/messages", {
      to: "orchestrator",
      payload: { text: "done" },
      lane: "steer",
    });
    expect(ok.statusCode).toBe(202);
    const denied = await call("researcher", "POST", "/v1/messages", { to: "qualify", payload: "hi" });
    expect(denied.json()).toMatchObject({
      statusCode: 403,
      message: 'can_message has no pattern matching "qualify"',
    });
    const unknown = await call("orchestrator", "POST", "/v1/messages", { to: "ghost", payload: "hi" });
    expect(unknown.json()).toMatchObject({ statusCode: 404, code: "OL_ERR_MESH_UNKNOWN_AGENT" });
    const badLane = await call("orchestrator", "POST", "/v1/messages", {
      to: "qualify",
      payload: "hi",
      lane: "sideways",
    });
    expect(badLane.json().code).toBe("OL_ERR_MESH_BAD_REQUEST");

    const page = (await call("orchestrator", "GET", "/v1/inbox")).json();
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]).toMatchObject({
      id: ok.json().id,
      kind: "message",
      from: "researcher",
      lane: "steer",
      payload: { text: "done" },
    });
    expect(page.next_after).toBe(ok.json().id);
    expect((await call("orchestrator", "POST", "/v1/inbox/ack", { ids: [ok.json().id] })).json()).toEqual({
      acked: 1,
    });
    expect((await call("orchestrator", "GET", "/v1/inbox")).json().messages).toEqual([]);
    // Another agent cannot ack someone else's message.
    await call("orchestrator", "POST", "/v1/messages", { to: "qualify", payload: "x" });
    const qid = (await call("qualify", "GET", "/v1/inbox")).json().messages[0].id;
    expect((await call("orchestrator", "POST", "/v1/inbox/ack", { ids: [qid] })).json()).toEqual({
      acked: 0,
    });
  });

  it("rejects beyond the inbox limit with 429 and never drops silently", async () => {
    h = await startMesh(config, { limits: { inbox_depth: 3 } });
    for (let i = 0; i < 3; i++)
      expect(
        (await call("researcher", "POST", "/v1/messages", { to: "orchestrator", payload: i })).statusCode,
      ).toBe(202);
    const over = await call("researcher", "POST", "/v1/messages", { to: "orchestrator", payload: 3 });
    expect(over.statusCode).toBe(429);
    expect(over.headers["retry-after"]).toBeDefined();
    expect(over.json()).toMatchObject({ code: "OL_ERR_MESH_INBOX_FULL" });
    expect(
      (await call("orchestrator", "GET", "/v1/inbox"))
        .json()
        .messages.map((m: { payload: number }) => m.payload),
    ).toEqual([0, 1, 2]);
    const bc = (
      await h.app.inject({
        method: "POST",
        url: "/v1/broadcast",
        headers: OPERATOR,
        payload: { payload: "all hands" },
      })
    ).json();
    expect(bc.rejected).toEqual(["orchestrator"]);
    expect(Object.keys(bc.ids).sort()).toEqual(["qualify", "researcher"]);
  });
});
