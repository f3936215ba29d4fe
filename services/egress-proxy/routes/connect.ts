import type { IncomingMessage } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { isOlError, type OlError } from "../../common/errors.js";
import { PROXY_CHALLENGES } from "../auth.js";
import { ProxyErrors } from "../errors.js";
import { errorBody } from "../http/respond.js";
import { parseAuthority } from "../net/hosts.js";
import type { Resolver } from "../net/resolver.js";
import type { ProxyContext } from "../pipeline/context.js";
import { checkEgressTarget, proxyAgent } from "./egress-policy.js";

function refuse(socket: Duplex, error: OlError): void {
  const body = JSON.stringify(errorBody(error));
  const reason = {
    400: "Bad Request",
    403: "Forbidden",
    407: "Proxy Authentication Required",
    502: "Bad Gateway",
  }[error.status];
  const extra =
    error.status === 407 ? PROXY_CHALLENGES.map((c) => `proxy-authenticate: ${c}\r\n`).join("") : "";
  socket.end(
    `HTTP/1.1 ${error.status} ${reason ?? "Error"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
}

/** CONNECT host:port → policy check → TCP to the checked address → blind tunnel with an idle timeout. */
export async function handleConnect(
  ctx: ProxyContext,
  resolver: Resolver,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): Promise<void> {
  client.on("error", () => client.destroy());
  let upstream: Socket | undefined;
  try {
    const agent = proxyAgent(ctx, req);
    const authority = parseAuthority(req.url ?? "");
    if (!authority) throw ProxyErrors.badPath("CONNECT needs host:port");
    const target = await checkEgressTarget(ctx, resolver, agent, authority.host, authority.port);
    const address = target.addresses[0];
    if (!address) throw ProxyErrors.resolveFailed(authority.host);
    ctx.metrics.requests.inc({ agent: agent.id, route: "connect", provider: "", model: "", status: "200" });
    const socket = netConnect({ host: address.address, port: authority.port, family: address.family });
    upstream = socket;
    socket.setTimeout(ctx.limits.tunnelIdleTimeoutMs, () => socket.destroy());
    socket.once("connect", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) socket.write(head);
      socket.pipe(client);
      client.pipe(socket);
    });
    socket.on("error", () => {
      if (socket.connecting || !socket.readyState.includes("open"))
        refuse(client, ProxyErrors.upstreamFailed(authority.host, "connect failed"));
      else client.destroy();
    });
    socket.on("close", () => client.destroy());
    client.on("close", () => socket.destroy());
  } catch (error) {
    upstream?.destroy();
    refuse(client, isOlError(error) ? error : ProxyErrors.upstreamFailed("connect", "internal error"));
  }
}
