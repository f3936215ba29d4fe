import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { rootCertificates } from "node:tls";
import pino, { type Logger } from "pino";
import { Agent, type Dispatcher } from "undici";
import type { ProxyConfig } from "../common/contracts/proxy-config.js";
import { type DrainResult, drain } from "../common/http/drain.js";
import { DRAIN_DEADLINE_MS } from "../common/ports.js";
import type { SyncMode } from "../common/sqlite/sync.js";
import { TokenAuthority } from "./auth.js";
import { type ResolvedConfig, resolveConfig } from "./config.js";
import { ProxyErrors } from "./errors.js";
import { HealthTracker } from "./health/tracker.js";
import { downstreamHeaders } from "./http/headers.js";
import { sendError, toOlError } from "./http/respond.js";
import { ProxyMetrics } from "./metrics.js";
import { type Resolver, systemResolver } from "./net/resolver.js";
import { authStep, inFlightStep } from "./pipeline/auth.js";
import { budgetStep } from "./pipeline/budget.js";
import { DEFAULT_LIMITS, type ProxyContext, type ProxyLimits } from "./pipeline/context.js";
import { healthStep } from "./pipeline/health.js";
import { injectStep } from "./pipeline/inject.js";
import { meterStep } from "./pipeline/meter.js";
import { overflowStep } from "./pipeline/overflow.js";
import { apiRouteStep, llmRouteStep } from "./pipeline/route.js";
import { type Call, type CallHandler, compose, type Dispatch } from "./pipeline/types.js";
import { upstreamDispatch } from "./pipeline/upstream.js";
import { PriceBook } from "./pricing/price.js";
import { handleAdmin } from "./routes/admin.js";
import { handleConnect } from "./routes/connect.js";
import { handleForward } from "./routes/forward.js";
import type { SecretReader } from "./secrets.js";
import { LedgerStore } from "./store/ledger-store.js";

export interface ProxyDeps {
  /** The compiled config (compose/egress-proxy/config.json), raw or already resolved. */
  config: ProxyConfig | ResolvedConfig;
  secrets: SecretReader;
  /** SQLite file (WAL) or ":memory:". */
  dbPath: string;
  /** SQLite `synchronous` of the ledger (default full, common/sqlite/sync.ts). */
  sqliteSync?: SyncMode;
  now?: () => number;
  /** Name resolution for the forward proxy; tests map names to 127.0.0.1 without DNS. */
  resolver?: Resolver;
  limits?: Partial<ProxyLimits>;
  /** undici Agent options for provider/API upstreams (connections, keepAliveTimeout, …). */
  upstream?: Agent.Options;
  logger?: Logger;
  /** Overrides the config's extra_ca_file PEM (tests). */
  extraCaPem?: string;
}

export interface EgressProxy {
  /** Not listening; call `server.listen(port)`. Handles the LLM, API, forward, CONNECT and admin doors. */
  server: Server;
  context: ProxyContext;
  /** Stops accepting, lets in-flight requests and streams end (≤ deadlineMs), then closes the ledger. */
  close(deadlineMs?: number): Promise<DrainResult>;
}

const isResolved = (c: ProxyConfig | ResolvedConfig): c is ResolvedConfig => "agentIds" in c;

/** The parts of the context that follow config.json: swapped as one on a live reload (reload.ts). */
export function configParts(
  config: ResolvedConfig,
  secrets: SecretReader,
  log: Logger,
): Pick<ProxyContext, "config" | "tokens" | "prices"> {
  const warned = new Set<string>();
  return {
    config,
    tokens: new TokenAuthority(secrets.masterKey(), config.agents.values()),
    prices: new PriceBook(
      config.raw.pricing,
      (model) => {
        if (warned.has(model)) return;
        warned.add(model);
        log.warn(
          { model },
          "no price for model; charging the conservative default (set pricing in mesh.yaml)",
        );
      },
      new Set(Object.entries(config.raw.providers).flatMap(([name, p]) => (p.local ? [name] : []))),
    ),
  };
}

/** Wires the pipeline (STYLE.md "Proxy request pipeline"): auth → allowlist → budget → health → key → meter → undici. */
export function buildProxy(deps: ProxyDeps): EgressProxy {
  const now = deps.now ?? Date.now;
  const log = deps.logger ?? pino({ level: "silent" });
  const config = isResolved(deps.config) ? deps.config : resolveConfig(deps.config);
  const limits: ProxyLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const store = new LedgerStore(deps.dbPath, now(), deps.sqliteSync);
  const ctx: ProxyContext = {
    ...configParts(config, deps.secrets, log),
    secrets: deps.secrets,
    store,
    health: new HealthTracker(store, now),
    metrics: new ProxyMetrics(),
    log,
    now,
    limits,
    inFlight: new Map(),
    warnedRouting: new Set(),
  };
  // One keep-alive pool per upstream origin (undici Agent), up to 256 sockets each, no pipelining: a slow
  // stream never holds up another call queued behind it on the same socket.
  // egress.extra_ca_bundle: TLS-intercepting corporate proxies re-sign upstream certificates with their own CA.
  const extraCa = deps.extraCaPem ?? config.extraCaPem;
  const dispatcher: Dispatcher = new Agent({
    keepAliveTimeout: 30_000,
    connections: 256,
    pipelining: 1,
    ...(extraCa === undefined ? {} : { connect: { ca: [...rootCertificates, extraCa] } }),
    ...deps.upstream,
  });
  const terminal = upstreamDispatch(dispatcher, {
    headersTimeout: limits.upstreamHeadersTimeoutMs,
    bodyTimeout: limits.upstreamBodyTimeoutMs,
  });
  const llm = compose(
    authStep(ctx),
    inFlightStep(ctx),
    llmRouteStep(ctx),
    budgetStep(ctx),
    healthStep(ctx),
    injectStep(ctx),
    meterStep(ctx),
    overflowStep,
  )(terminal);
  const api = compose(authStep(ctx), inFlightStep(ctx), apiRouteStep(ctx), injectStep(ctx))(terminal);
  const resolver = deps.resolver ?? systemResolver;

  const server = createServer({
    maxHeaderSize: 32 * 1024,
    requestTimeout: 120_000,
    headersTimeout: 30_000,
    keepAliveTimeout: 65_000,
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    try {
      route(ctx, { llm, api }, resolver, req, res);
    } catch (error) {
      log.error({ code: (error as { code?: string }).code }, "request handler failed");
      sendError(res, toOlError(error));
    }
  });
  server.on("connect", (req: IncomingMessage, socket, head: Buffer) => {
    void handleConnect(ctx, resolver, req, socket, head);
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable)
      socket.end(
        "HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
      );
    else socket.destroy();
  });

  return {
    server,
    context: ctx,
    async close(deadlineMs = DRAIN_DEADLINE_MS) {
      // In-flight calls and streams finish (and settle) first; only what outlives the deadline is cut.
      const result = await drain(server, () => new Promise<void>((r) => server.close(() => r())), deadlineMs);
      if (result.forced) log.warn({ deadlineMs }, "drain deadline passed: open connections were cut");
      await dispatcher.close().catch(() => undefined);
      store.close();
      return result;
    },
  };
}

function route(
  ctx: ProxyContext,
  doors: { llm: Dispatch; api: Dispatch },
  resolver: Resolver,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const rawUrl = req.url ?? "/";
  if (/^https?:\/\//i.test(rawUrl)) {
    void handleForward(ctx, resolver, req, res);
    return;
  }
  const url = new URL(rawUrl, "http://egress-proxy");
  if (handleAdmin(ctx, req, res, url)) return;
  // The doors match the RAW path: the URL parser would resolve `%2e%2e` and turn `\` into `/` before
  // path hygiene (http/path.ts) could see what the agent asked for.
  const queryAt = rawUrl.indexOf("?");
  const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const match = /^\/(llm|api)\/([^/]+)\/(.*)$/s.exec(rawPath);
  if (!match?.[1] || !match[2] || match[3] === undefined) {
    req.resume();
    sendError(res, ProxyErrors.unknownRoute(url.pathname.slice(0, 200)));
    return;
  }
  const door = match[1] as "llm" | "api";
  const call: Call = {
    req,
    res,
    startedAt: ctx.now(),
    door,
    target: match[2],
    rest: match[3],
    search: new URLSearchParams(queryAt < 0 ? "" : rawUrl.slice(queryAt + 1)),
    clientAborted: false,
  };
  res.on("close", () => {
    if (res.writableFinished) return;
    call.clientAborted = true;
    call.abortUpstream?.(new Error("client disconnected"));
  });
  doors[door](call, clientHandler(ctx, call));
}

/** The innermost consumer: writes to the client, honours backpressure, and turns errors into one JSON reply. */
function clientHandler(ctx: ProxyContext, call: Call): CallHandler {
  const { res } = call;
  let wroteBody = false;
  let waitingForDrain = false;
  const count = (status: number) =>
    ctx.metrics.requests.inc({
      agent: call.agent?.id ?? "",
      route: call.door,
      provider: call.provider?.name ?? call.api?.name ?? "",
      model: call.model ?? "",
      status: String(status),
    });
  return {
    onResponseStart(status, headers) {
      res.writeHead(status, downstreamHeaders(headers, false));
      // Streams: the client must see the head before the first event even when that event is slow (time to
      // first token). Usually it came in the same read as the head and was written with it in one syscall;
      // otherwise the head goes out alone at the end of this loop turn.
      if (String(headers["content-type"] ?? "").startsWith("text/event-stream"))
        setImmediate(() => {
          // (res.headersSent turns true at writeHead, before anything is sent: track the first write instead.)
          if (!wroteBody && !res.writableEnded && !res.destroyed) res.flushHeaders();
        });
    },
    onResponseData(chunk) {
      wroteBody = true;
      // One drain listener at a time: chunks undici had already parsed may still arrive after the pause.
      if (!res.write(chunk) && !waitingForDrain) {
        waitingForDrain = true;
        call.pauseUpstream?.();
        res.once("drain", () => {
          waitingForDrain = false;
          call.resumeUpstream?.();
        });
      }
    },
    onResponseEnd() {
      res.end();
      count(res.statusCode);
    },
    onError(error) {
      const ol = toOlError(error);
      count(call.clientAborted ? 499 : res.headersSent ? res.statusCode : ol.status);
      if (call.clientAborted) return;
      // Refusals are counted in /metrics and logged at debug (a looping agent must not flood the log);
      // failures of the proxy or the upstream are worth a line at warn.
      const fields = {
        agent: call.agent?.id,
        door: call.door,
        target: call.target,
        code: ol.code,
        status: ol.status,
      };
      if (ol.status >= 500) ctx.log.warn(fields, "call failed");
      else ctx.log.debug(fields, "call refused");
      sendError(res, ol);
    },
  };
}
