import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { type SseEvent, SseParser } from "../../../services/common/sse.js";
import { addressOf, as, type Harness, meshConfig, OPERATOR, perms, removeDir, startMesh } from "./helpers.js";

const config = meshConfig({
  writer: { permissions: perms({ blackboard_read: ["**"], blackboard_write: ["context/**", "tasks/**"] }) },
});
let h: Harness | undefined;
const aborts: AbortController[] = [];
afterEach(async () => {
  for (const a of aborts.splice(0)) a.abort();
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
});

const put = (key: string, value: unknown) =>
  h!.app.inject({
    method: "PUT",
    url: `/v1/blackboard/${key}`,
    headers: as("writer"),
    remoteAddress: addressOf(config, "writer"),
    payload: { value },
  });

/** Opens the operator feed over real TCP; `next()` resolves with the next SSE event. */
async function openFeed(prefix: string) {
  const port = (h!.app.server.address() as AddressInfo).port;
  const abort = new AbortController();
  aborts.push(abort);
  const res = await request(`http://127.0.0.1:${port}/v1/watch?prefix=${encodeURIComponent(prefix)}`, {
    headers: OPERATOR,
    signal: abort.signal,
  });
  const parser = new SseParser();
  const queue: SseEvent[] = [];
  const iterator = res.body[Symbol.asyncIterator]();
  const next = async (): Promise<SseEvent> => {
    while (queue.length === 0) {
      const { value, done } = await iterator.next();
      if (done) throw new Error("feed ended");
      queue.push(...parser.push(Buffer.from(value).toString("utf8")));
    }
    return queue.shift() as SseEvent;
  };
  return { res, next };
}

describe("operator watch feed (GET /v1/watch)", () => {
  it("streams committed changes under the prefix, and nothing else", async () => {
    h = await startMesh(config);
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    const feed = await openFeed("context/");
    expect(feed.res.statusCode).toBe(200);
    expect(feed.res.headers["content-type"]).toContain("text/event-stream");
    expect(await feed.next()).toEqual({ event: "ready", data: JSON.stringify({ prefix: "context/" }) });

    expect((await put("tasks/elsewhere", 1)).statusCode).toBe(201);
    expect((await put("context/lead", { score: 1 })).statusCode).toBe(201);
    const del = await h.app.inject({
      method: "DELETE",
      url: "/v1/blackboard/context/lead",
      headers: OPERATOR,
    });
    expect(del.statusCode).toBe(200);

    const first = await feed.next();
    expect(first.event).toBe("change");
    expect(JSON.parse(first.data)).toMatchObject({
      key: "context/lead",
      version: 1,
      op: "put",
      by: "writer",
    });
    const second = await feed.next();
    expect(JSON.parse(second.data)).toMatchObject({
      key: "context/lead",
      version: 2,
      op: "delete",
      by: "operator",
    });
  });

  it("is operator-only, checks the prefix and caps concurrent feeds with a precise 429", async () => {
    h = await startMesh(config, { limits: { watch_feeds: 1 } });
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    const asAgent = await h.app.inject({
      method: "GET",
      url: "/v1/watch?prefix=context/",
      headers: as("writer"),
      remoteAddress: addressOf(config, "writer"),
    });
    expect(asAgent.statusCode).toBe(403);
    expect(asAgent.json().code).toBe("OL_ERR_MESH_WRONG_PRINCIPAL");
    const bad = await h.app.inject({
      method: "GET",
      url: "/v1/watch?prefix=context/../x",
      headers: OPERATOR,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("OL_ERR_MESH_BAD_KEY");

    const feed = await openFeed("");
    expect((await feed.next()).event).toBe("ready");
    const second = await h.app.inject({ method: "GET", url: "/v1/watch", headers: OPERATOR });
    expect(second.statusCode).toBe(429);
    expect(second.json().code).toBe("OL_ERR_MESH_FEED_LIMIT");
    expect(second.headers["retry-after"]).toBe("5");
    // The mesh keeps serving writes while a feed is open.
    expect((await put("context/still", true)).statusCode).toBe(201);
    expect(JSON.parse((await feed.next()).data)).toMatchObject({ key: "context/still", op: "put" });
  });
});
