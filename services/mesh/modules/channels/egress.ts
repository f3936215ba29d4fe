import { ProxyAgent } from "undici";
import { MESH_EGRESS_ID } from "../../../common/ports.js";
import { agentToken } from "../../../common/tokens.js";

/**
 * The mesh's way out for chat channels: every adapter call goes to the egress proxy, as the proxy's
 * `_mesh` identity (docs/decisions/channels.md "Channel tokens at the proxy"). Web APIs whose token the
 * proxy injects are called at `<proxy>/api/<name>/…` with the mesh's own token; WebSockets (Discord's gateway
 * by way of its loopback relay) and Discord's REST API go through the CONNECT door.
 */
export class ChannelEgress {
  /** The proxy's own URL (the CONNECT door), for clients that tunnel by hand (Discord's gateway relay). */
  readonly proxyUrl: string;
  /** The mesh's token at the proxy (never a platform token). */
  readonly token: string;
  /** CONNECT-tunnelling dispatcher (undici's ProxyAgent, Proxy-Authorization: Bearer <mesh token>). */
  readonly tunnel: ProxyAgent;

  constructor(proxyUrl: string, masterKey: string) {
    this.proxyUrl = proxyUrl.replace(/\/+$/, "");
    this.token = agentToken(masterKey, MESH_EGRESS_ID);
    this.tunnel = new ProxyAgent({ uri: this.proxyUrl, token: `Bearer ${this.token}`, proxyTunnel: true });
  }

  /** `<proxy>/api/<name>`: the proxy adds the platform's token on the way out. */
  api(name: string): string {
    return `${this.proxyUrl}/api/${name}`;
  }

  /**
   * A fetch that presents the mesh's token to the proxy (for clients that take a custom fetch). A signal
   * from an AbortController polyfill (grammY's on Node) is bridged to a native one, which fetch requires.
   */
  readonly fetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${this.token}`);
    return fetch(input, { ...init, headers, signal: nativeSignal(init.signal) });
  };

  async close(): Promise<void> {
    await this.tunnel.close().catch(() => {});
  }
}

function nativeSignal(signal: RequestInit["signal"]): AbortSignal | undefined {
  if (!signal || signal instanceof AbortSignal) return signal ?? undefined;
  const native = new AbortController();
  const foreign = signal as unknown as {
    aborted: boolean;
    addEventListener(type: "abort", fn: () => void, opts?: { once: boolean }): void;
  };
  if (foreign.aborted) native.abort();
  else foreign.addEventListener("abort", () => native.abort(), { once: true });
  return native.signal;
}
