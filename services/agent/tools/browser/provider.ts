import type { AgentConfig } from "../../config/load.js";
import type { ToolProvider } from "../provider.js";
import type { Tool } from "../types.js";
import { BrowserSession, type BrowserSessionOptions } from "./session.js";
import { browserTools } from "./tools.js";

/**
 * The browser tools of an agent whose manifest names a browser sidecar (agents.yaml browser_backend).
 * Nothing starts until the first browser tool call; stop() drops the connection.
 */
export class BrowserProvider implements ToolProvider {
  readonly id = "browser";
  readonly session: BrowserSession;
  readonly #tools: Tool[];

  constructor(o: BrowserSessionOptions) {
    this.session = new BrowserSession(o);
    this.#tools = browserTools(this.session);
  }

  tools(): readonly Tool[] {
    return this.#tools;
  }

  status(): unknown {
    return { endpoint: this.session.endpoint, launches: this.session.launches };
  }

  async stop(): Promise<void> {
    await this.session.close();
  }
}

/** The agent's browser provider, or none when it does not browse. */
export function browserProviders(config: AgentConfig, log: BrowserSessionOptions["log"]): ToolProvider[] {
  const endpoint = config.manifest.browser_url;
  if (!endpoint) return [];
  return [
    new BrowserProvider({
      endpoint,
      // Basic credentials: the proxy reads the token from the password (the user name is informative).
      proxy: { server: config.manifest.proxy_url, username: config.manifest.id, password: config.agentToken },
      log,
    }),
  ];
}
