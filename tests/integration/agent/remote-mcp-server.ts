import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Server as LowLevelServer } from "@modelcontextprotocol/sdk/server/index.js";
import { McpServer, type RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/** What a remote MCP server saw of each request: method, path, Host and Authorization headers. */
export interface Seen {
  method: string;
  path: string;
  host: string;
  authorization: string | undefined;
}

export interface RemoteMcp {
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** Calls of `wait` that were cancelled by the client (notifications/cancelled aborts their signal). */
export const cancelled: string[] = [];
/** Calls of `wait` that have started. */
export const waiting: string[] = [];

/** The live servers (one per session): a test changes their tools to see list_changed followed. */
export const live: Array<{ server: McpServer; greet: RegisteredTool }> = [];

/** The SDK's own server: `greet {name}`, and `wait {id}` that answers only when cancelled. */
function mcpServer(): McpServer {
  const server = new McpServer({ name: "remote-test", version: "1.0.0" });
  server.registerTool(
    "wait",
    { description: "Waits until cancelled.", inputSchema: { id: z.string() } },
    async ({ id }, extra) => {
      waiting.push(id);
      await new Promise<void>((resolve) =>
        extra.signal.addEventListener("abort", () => {
          cancelled.push(id);
          resolve();
        }),
      );
      return { content: [{ type: "text", text: "cancelled" }] };
    },
  );
  const greet = server.registerTool(
    "greet",
    { description: "Greets someone.", inputSchema: { name: z.string() } },
    async ({ name }) => ({ content: [{ type: "text", text: `hello ${name} from the remote server` }] }),
  );
  live.push({ server, greet });
  return server;
}

const record = (seen: Seen[], req: IncomingMessage) =>
  seen.push({
    method: req.method ?? "",
    path: req.url ?? "",
    host: req.headers.host ?? "",
    authorization: req.headers.authorization,
  });

async function listen(server: Server, seen: Seen[]): Promise<RemoteMcp> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A low-level server whose tools/list comes in pages of `perPage` (cursor = next index). */
function pagedServer(names: readonly string[], perPage: number): LowLevelServer {
  const server = new LowLevelServer({ name: "paged", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async (req) => {
    const from = Number(req.params?.cursor ?? 0);
    const next = from + perPage;
    return {
      tools: names.slice(from, next).map((name) => ({ name, inputSchema: { type: "object" as const } })),
      ...(next < names.length ? { nextCursor: String(next) } : {}),
    };
  });
  return server;
}

/** A Streamable HTTP server at /mcp with sessions (the SDK's server classes on node:http). */
export async function startStreamableServer(paged?: {
  names: string[];
  perPage: number;
}): Promise<RemoteMcp> {
  const seen: Seen[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const server = createServer(async (req, res) => {
    record(seen, req);
    if (req.url !== "/mcp") {
      res.writeHead(404).end();
      return;
    }
    const sid = req.headers["mcp-session-id"];
    let transport = typeof sid === "string" ? sessions.get(sid) : undefined;
    if (!transport) {
      if (sid !== undefined || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, created);
        },
      });
      created.onclose = () => {
        if (created.sessionId) sessions.delete(created.sessionId);
      };
      await (paged ? pagedServer(paged.names, paged.perPage) : mcpServer()).connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  return listen(server, seen);
}

/** A legacy server that speaks only the HTTP+SSE transport (GET /sse, POST /messages). */
export async function startSseOnlyServer(): Promise<RemoteMcp> {
  const seen: Seen[] = [];
  const sessions = new Map<string, SSEServerTransport>();
  const server = createServer(async (req, res) => {
    record(seen, req);
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/sse" && req.method === "GET") {
      const transport = new SSEServerTransport("/messages", res);
      sessions.set(transport.sessionId, transport);
      res.on("close", () => sessions.delete(transport.sessionId));
      await mcpServer().connect(transport);
      return;
    }
    const session = sessions.get(url.searchParams.get("sessionId") ?? "");
    if (url.pathname === "/messages" && req.method === "POST" && session) {
      await session.handlePostMessage(req, res);
      return;
    }
    res.writeHead(url.pathname === "/sse" ? 405 : 404).end();
  });
  return listen(server, seen);
}
