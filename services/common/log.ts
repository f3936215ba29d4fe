import { type FastifyReply, type FastifyRequest, LogController } from "fastify";
import pino, { type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";

/**
 * One way every service logs: pino JSON lines by default, or, with `OPENLEGION_LOG_FORMAT=text`
 * (set in `.env`, rendered into every service), one human-readable line per record, written
 * synchronously so a crash loses nothing. `OPENLEGION_LOG_LEVEL` sets the level (default info).
 */
export const LOG_FORMATS = ["json", "text"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Redacted in every service's logs, whatever the format. */
const REDACT = [
  "req.headers.authorization",
  'req.headers["proxy-authorization"]',
  "token",
  "apiKey",
  "*.token",
  "*.apiKey",
];

export function logFormatOf(value: string | undefined): LogFormat {
  if (value === undefined || value === "") return "json";
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat;
  throw new Error(`OPENLEGION_LOG_FORMAT must be "json" or "text", got ${JSON.stringify(value)}`);
}

export interface LoggerEnv {
  OPENLEGION_LOG_FORMAT?: string | undefined;
  OPENLEGION_LOG_LEVEL?: string | undefined;
}

export function createLogger(
  bindings: Record<string, string>,
  env: LoggerEnv,
  destination?: NodeJS.WritableStream,
): Logger {
  const options: LoggerOptions = {
    level: env.OPENLEGION_LOG_LEVEL ?? "info",
    base: bindings,
    redact: REDACT,
  };
  if (logFormatOf(env.OPENLEGION_LOG_FORMAT) === "json")
    return destination ? pino(options, destination) : pino(options);
  const text = pretty({
    sync: true,
    colorize: false,
    singleLine: true,
    translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l",
    ignore: "pid,hostname",
    ...(destination ? { destination } : {}),
  });
  return pino(options, text);
}

const HEALTH_PATHS = new Set(["/healthz", "/health", "/readyz"]);
const isHealthCheck = (req: FastifyRequest): boolean => HEALTH_PATHS.has(req.url.split("?")[0] ?? "");

/**
 * Fastify's per-request lines with health checks at debug: the container healthcheck every 10 s
 * would otherwise be most of an agent's log. Everything else stays at info.
 */
export class ServiceLogController extends LogController {
  override incomingRequest(
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (isHealthCheck(request)) request.log.debug({ req: request }, "incoming request");
    else super.incomingRequest(request, reply, metadata);
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (!error && isHealthCheck(request))
      reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, "request completed");
    else super.requestCompleted(error, request, reply, metadata);
  }
}
