import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
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

/** The SDK's own server with one tool, `greet {name}`. */
function mcpServer(): McpServer {
  const server = new McpServer({ name: "remote-test", version: "1.0.0" });
  server.registerTool(
    "greet",
    { description: "Greets someone.", inputSchema: { name: z.string() } },
    async ({ name }) => ({ content: [{ type: "text", text: `hello ${name} from the remote server` }] }),
  );
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

/** A stateless Streamable HTTP server at /mcp (the SDK's server classes on node:http). */
export async function startStreamableServer(): Promise<RemoteMcp> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    record(seen, req);
    if (req.url !== "/mcp" || req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const mcp = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
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
