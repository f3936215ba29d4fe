import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  type CallToolResult,
  ErrorCode,
  McpError,
  type Tool as McpTool,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import { ToolErrors } from "../tools/errors.js";
import {
  type McpEndpoint,
  makeTransport,
  refusedStreamable,
  type TransportName,
  transportsOf,
} from "./transport.js";

export interface McpServerSpec {
  name: string;
  endpoint: McpEndpoint;
  timeoutS: number;
}

export type McpState = "starting" | "ready" | "restarting" | "failed" | "stopped";

/** Restart policy: 1 s doubling to 30 s; 5 crashes within 10 minutes and the server stays down. */
export const RESTART = {
  firstMs: 1_000,
  maxMs: 30_000,
  crashes: 5,
  windowMs: 600_000,
  startTimeoutMs: 15_000,
};
/** Bounds on what a server may hand us: pages of tools/list, tools, stderr lines logged. */
const MAX_PAGES = 20;
const MAX_TOOLS = 256;
const STDERR_LINE_MAX = 500;

/**
 * One MCP server, (re)connected by this class: a child process of the agent (stdio), or a remote
 * server through the egress proxy (Streamable HTTP, falling back to SSE). Its tool list is
 * read with pagination at start, after every restart and on `notifications/tools/list_changed`;
 * while it is down its tools report unavailable.
 */
export class McpConnection {
  state: McpState = "starting";
  protocol: string | undefined;
  server: { name: string; version: string } | undefined;
  tools: McpTool[] = [];
  /** Names of the server's prompts (listed in status; prompts are for people, not the model). */
  prompts: string[] = [];
  lastError: string | undefined;
  restarts = 0;
  /** The transport of the current (or last) connection. */
  transport: TransportName | undefined;
  readonly #crashes: number[] = [];
  #client: Client | undefined;
  #transport: Transport | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: McpServerSpec,
    readonly o: { log: Logger; onToolsChanged: () => void; now?: () => number; restart?: typeof RESTART },
  ) {}

  get pid(): number | null {
    return (this.#transport as StdioClientTransport | undefined)?.pid ?? null;
  }

  /** Connects once; a failure is reported in status and retried with backoff (never thrown). */
  async start(): Promise<void> {
    await this.#connect().catch((err: unknown) => this.#down(err));
  }

  async #connect(): Promise<void> {
    const kinds = transportsOf(this.spec.endpoint);
    for (const [i, kind] of kinds.entries()) {
      try {
        await this.#open(kind);
        break;
      } catch (err) {
        if (i === kinds.length - 1 || !refusedStreamable(err)) throw err;
        this.o.log.info({ mcp: this.spec.name }, "Streamable HTTP refused; trying SSE");
      }
    }
    const client = this.#client;
    if (!client) throw new Error("no transport connected");
    const name = this.spec.name;
    const v = client.getServerVersion();
    this.server = v ? { name: v.name, version: v.version } : undefined;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.#refresh().catch((err: unknown) =>
        this.o.log.warn({ mcp: name, err }, "tools/list after a change failed"),
      );
    });
    await this.#refresh();
    if (client.getServerCapabilities()?.prompts)
      this.prompts = (await client.listPrompts()).prompts.slice(0, MAX_TOOLS).map((p) => p.name);
    this.state = "ready";
    this.lastError = undefined;
    this.o.log.info({ mcp: name, protocol: this.protocol, tools: this.tools.length }, "MCP server ready");
  }

  /** Opens one transport and runs the initialize handshake on it (the client is kept on success). */
  async #open(kind: TransportName): Promise<void> {
    const name = this.spec.name;
    const transport = makeTransport(this.spec.endpoint, kind);
    // Records the negotiated revision; the HTTP transports also need it for their protocol header.
    const setVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = (v: string) => {
      this.protocol = v;
      setVersion?.(v);
    };
    (transport as StdioClientTransport).stderr?.on("data", (chunk: Buffer) =>
      this.o.log.debug({ mcp: name, stderr: chunk.toString("utf8").slice(0, STDERR_LINE_MAX) }, "mcp stderr"),
    );
    const client = new Client({ name: "openlegion-agent", version: "0.1.0" }, { capabilities: {} });
    client.onclose = () => {
      if (this.#client === client) this.#down(new Error("the server connection closed"));
    };
    this.transport = kind;
    const limit = this.o.restart?.startTimeoutMs ?? RESTART.startTimeoutMs;
    // Kept only once connected: a failed handshake closes the client, which must not count as a crash
    // of a live connection (the caller decides: fall back to SSE, or back off).
    await client.connect(transport, { timeout: limit });
    if (this.state === "stopped") {
      await client.close().catch(() => {});
      return;
    }
    this.#client = client;
    this.#transport = transport;
  }

  /** tools/list, following nextCursor (bounded). */
  async #refresh(): Promise<void> {
    const client = this.#client;
    if (!client?.getServerCapabilities()?.tools) return;
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await client.listTools(cursor ? { cursor } : {});
      tools.push(...r.tools);
      cursor = r.nextCursor;
      if (!cursor || tools.length >= MAX_TOOLS) break;
    }
    this.tools = tools.slice(0, MAX_TOOLS);
    this.o.onToolsChanged();
  }

  #down(err: unknown): void {
    if (this.state === "stopped") return;
    const client = this.#client;
    this.#client = undefined;
    this.#transport = undefined;
    client?.close().catch(() => {});
    this.lastError = err instanceof Error ? err.message : String(err);
    const now = (this.o.now ?? Date.now)();
    const p = this.o.restart ?? RESTART;
    this.#crashes.push(now);
    while (this.#crashes.length > 0 && now - this.#crashes[0]! > p.windowMs) this.#crashes.shift();
    if (this.#crashes.length >= p.crashes) {
      this.state = "failed";
      this.o.log.error(
        { mcp: this.spec.name, err: this.lastError },
        "MCP server keeps failing; not restarted",
      );
      return;
    }
    this.state = "restarting";
    const delay = Math.min(p.firstMs * 2 ** (this.#crashes.length - 1), p.maxMs);
    this.o.log.warn(
      { mcp: this.spec.name, err: this.lastError, delay_ms: delay },
      "MCP server down; restarting",
    );
    this.#timer = setTimeout(() => {
      this.restarts++;
      this.#connect().catch((e: unknown) => this.#down(e));
    }, delay);
    this.#timer.unref();
  }

  /** tools/call with the per-call timeout (reset by progress) and the turn's signal (cancel on abort). */
  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const client = this.#ready();
    const timeout = this.spec.timeoutS * 1000;
    try {
      return (await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: timeout * 10,
        onprogress: () => {},
        signal,
      })) as CallToolResult;
    } catch (err) {
      if (err instanceof McpError && err.code === ErrorCode.RequestTimeout)
        throw ToolErrors.mcpTimeout(tool, this.spec.timeoutS);
      if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed)
        throw ToolErrors.mcpUnavailable(
          this.spec.name,
          "the server exited during the call; it is being restarted",
        );
      throw err;
    }
  }

  get offersResources(): boolean {
    return Boolean(this.#client?.getServerCapabilities()?.resources);
  }

  /** resources/list (one page; the cursor goes back to the model) and resources/read. */
  async resources(cursor: string | undefined, signal: AbortSignal) {
    return this.#ready().listResources(cursor ? { cursor } : {}, {
      signal,
      timeout: this.spec.timeoutS * 1000,
    });
  }

  async readResource(uri: string, signal: AbortSignal) {
    return this.#ready().readResource({ uri }, { signal, timeout: this.spec.timeoutS * 1000 });
  }

  #ready(): Client {
    if (this.state !== "ready" || !this.#client)
      throw ToolErrors.mcpUnavailable(this.spec.name, this.lastError ?? this.state);
    return this.#client;
  }

  status() {
    return {
      state: this.state,
      pid: this.pid,
      transport: this.transport ?? null,
      ...(this.spec.endpoint.kind === "remote" ? { url: this.spec.endpoint.url } : {}),
      protocol: this.protocol ?? null,
      server: this.server ?? null,
      tools: this.tools.length,
      prompts: this.prompts,
      restarts: this.restarts,
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.close().catch(() => {});
  }
}
