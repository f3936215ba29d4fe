import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike, Transport } from "@modelcontextprotocol/sdk/shared/transport.js";

/** A stdio server: a child process of the agent with exactly this environment (plus the SDK's few defaults). */
export interface StdioEndpoint {
  kind: "stdio";
  command: string;
  args: readonly string[];
  env: Record<string, string>;
}

/**
 * A remote server, reached only through the egress proxy's API door `/api/<door>/…`: the agent
 * presents its own token there; the proxy checks the host against allowed_hosts and adds the
 * server's bearer credential, which the agent never holds.
 */
export interface RemoteEndpoint {
  kind: "remote";
  url: string;
  /** Unset: Streamable HTTP, falling back to SSE when the server refuses it. */
  transport?: "streamable-http" | "sse";
  proxyUrl: string;
  door: string;
  agentToken: string;
}

export type McpEndpoint = StdioEndpoint | RemoteEndpoint;

/**
 * A fetch that sends each request for the server's origin to the proxy door instead: same path and
 * query, the agent token as the credential. Anything else (another origin) is refused here, before
 * the proxy would refuse it too.
 */
export function proxiedFetch(e: RemoteEndpoint, base: FetchLike = fetch): FetchLike {
  const origin = new URL(e.url).origin;
  const door = `${e.proxyUrl.replace(/\/+$/, "")}/api/${e.door}`;
  return (input, init) => {
    const url = new URL(String(input));
    if (url.origin !== origin)
      return Promise.reject(new Error(`refused: ${url.origin} is not the origin of this MCP server`));
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${e.agentToken}`);
    return base(`${door}${url.pathname}${url.search}`, { ...init, headers });
  };
}

/** The transport names status reports. */
export type TransportName = "stdio" | "streamable-http" | "sse";

/** Builds one transport; `attempt` 1 of an unpinned remote server is Streamable HTTP, 2 is SSE. */
export function makeTransport(e: McpEndpoint, which: TransportName): Transport {
  if (e.kind === "stdio")
    return new StdioClientTransport({ command: e.command, args: [...e.args], env: e.env, stderr: "pipe" });
  const url = new URL(e.url);
  const fetch = proxiedFetch(e);
  return which === "sse"
    ? new SSEClientTransport(url, { fetch })
    : new StreamableHTTPClientTransport(url, { fetch });
}

/** The transports to try, in order. */
export const transportsOf = (e: McpEndpoint): TransportName[] =>
  e.kind === "stdio" ? ["stdio"] : e.transport ? [e.transport] : ["streamable-http", "sse"];

/**
 * Whether a failed Streamable HTTP connect means "this server speaks the older SSE transport": the
 * spec's backwards-compatibility rule is a 4xx to the initialize POST (404/405 in practice).
 */
export function refusedStreamable(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "number" && code >= 400 && code < 500 && code !== 401 && code !== 403;
}
