import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiClient, type ClientErrors } from "../../../services/common/client/api-client.js";
import { routeTable } from "../../../services/common/contracts/contract.js";
import { MeshRoutes } from "../../../services/common/contracts/mesh-routes.js";
import { OlError } from "../../../services/common/errors.js";
import { route } from "../../../services/common/http/route.js";
import { sseFrame } from "../../../services/common/sse.js";
import { operatorToken } from "../../../services/common/tokens.js";
import { type Harness, MASTER, meshConfig, perms, removeDir, startMesh } from "../mesh/helpers.js";

const errors: ClientErrors = {
  unreachable: (url) => new OlError("T_UNREACHABLE", `no answer from ${url}`, 0),
  badReply: (message) => new OlError("T_BAD_REPLY", message, 502),
};

/** A contract table the test server below implements (and one route it gets wrong on purpose). */
const Test = routeTable({
  echo: {
    method: "POST",
    path: "/echo/:id/*",
    auth: "none",
    params: z.object({ id: z.string(), "*": z.string() }),
    query: z.object({ n: z.coerce.number().int().optional() }),
    body: z.strictObject({ text: z.string() }),
    response: { 200: z.object({ id: z.string(), key: z.string(), n: z.int().nullable(), text: z.string() }) },
  },
  lies: { method: "GET", path: "/lies", auth: "none", response: { 200: z.object({ count: z.int() }) } },
  ticks: {
    method: "GET",
    path: "/ticks",
    auth: "none",
    events: z.object({ type: z.literal("tick"), n: z.int() }),
  },
});

let server: FastifyInstance | undefined;
let mesh: Harness | undefined;
afterEach(async () => {
  await server?.close();
  await mesh?.close();
  if (mesh) removeDir(mesh.dir);
  server = mesh = undefined;
});

async function startTestServer(): Promise<string> {
  server = Fastify();
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  route(server, Test.echo, async (req) => ({
    id: req.params.id,
    key: req.params["*"],
    n: req.query.n ?? null,
    text: req.body.text,
  }));
  // Replies outside the contract: the client must refuse them, whatever the server's serializer did.
  server.get("/lies", async (_req, reply) => reply.type("application/json").send('{"count":"many"}'));
  server.get("/ticks", async (_req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { "content-type": "text/event-stream" });
    reply.raw.write(sseFrame("tick", { type: "tick", n: 1 }));
    reply.raw.write(sseFrame("noise", { type: "noise" }));
    reply.raw.write("data: not json\n\n");
    reply.raw.end(sseFrame("tick", { type: "tick", n: 2 }));
  });
  return server.listen({ host: "127.0.0.1", port: 0 });
}

describe("ApiClient against a server registered with route()", () => {
  it("fills params (a key path segment by segment), query and body, and returns the typed reply", async () => {
    const client = new ApiClient({ baseUrl: await startTestServer(), token: "t", errors });
    const reply = await client.call(Test.echo, {
      params: { id: "a b", "*": "context/x y/z" },
      query: { n: 3 },
      body: { text: "hi" },
    });
    expect(reply).toEqual({ id: "a b", key: "context/x y/z", n: 3, text: "hi" });
  });

  it("answers the server's validation error as an OlError with its code and status", async () => {
    const client = new ApiClient({ baseUrl: await startTestServer(), token: "t", errors });
    const err = await client
      .call(Test.echo, { params: { id: "a", "*": "k" }, body: { text: 1 as unknown as string } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OlError);
    expect(err).toMatchObject({ status: 400, code: "FST_ERR_VALIDATION" });
  });

  it("refuses a reply that does not match the contract", async () => {
    const client = new ApiClient({ baseUrl: await startTestServer(), token: "t", errors });
    await expect(client.call(Test.lies, {})).rejects.toMatchObject({ code: "T_BAD_REPLY" });
  });

  it("streams the events the contract describes, in order, and skips other frames", async () => {
    const client = new ApiClient({ baseUrl: await startTestServer(), token: "t", errors });
    const seen: unknown[] = [];
    for await (const ev of client.events(Test.ticks, {})) seen.push(ev);
    expect(seen).toEqual([
      { type: "tick", n: 1 },
      { type: "tick", n: 2 },
    ]);
  });

  it("reports a server that does not answer through the binding's unreachable()", async () => {
    const client = new ApiClient({ baseUrl: "http://127.0.0.1:9", token: "t", errors });
    await expect(client.call(Test.lies, {})).rejects.toMatchObject({ code: "T_UNREACHABLE" });
  });
});

describe("ApiClient against the real mesh", () => {
  it("round-trips a blackboard entry and surfaces the mesh's own codes (404 → find() is undefined)", async () => {
    mesh = await startMesh(meshConfig({ a: { permissions: perms() } }));
    const client = new ApiClient({
      baseUrl: await mesh.app.listen({ host: "127.0.0.1", port: 0 }),
      token: operatorToken(MASTER),
      errors,
    });
    const put = await client.call(MeshRoutes.blackboardWrite, {
      params: { "*": "context/q3/results" },
      body: { value: { revenue: 42 } },
    });
    expect(put).toMatchObject({ key: "context/q3/results", version: 1, value: { revenue: 42 } });
    expect(await client.find(MeshRoutes.blackboardRead, { params: { "*": "context/none" } })).toBeUndefined();
    await expect(
      client.call(MeshRoutes.blackboardWrite, {
        params: { "*": "context/q3/results" },
        body: { value: 1, if_version: 0 },
      }),
    ).rejects.toMatchObject({ status: 409, code: "OL_ERR_MESH_VERSION_CONFLICT" });
    const agentClient = new ApiClient({ baseUrl: client.url, token: "not-a-token", errors });
    await expect(agentClient.call(MeshRoutes.agents, {})).rejects.toMatchObject({
      status: 401,
      code: "OL_ERR_MESH_UNAUTHENTICATED",
    });
  });
});
