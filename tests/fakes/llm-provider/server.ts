/**
 * The fake LLM provider: a real HTTP server on loopback speaking OpenAI, Anthropic and Gemini wire
 * formats with scripted answers, fault injection and a record of every request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_MAX_BODY_BYTES } from "./body.js";
import { handleControl } from "./control.js";
import { type FakeContext, handleProvider } from "./handler.js";
import { ScriptQueue } from "./script.js";
import type { AbortEvent, FakeProvider, FakeProviderOptions, RecordedRequest } from "./types.js";

export const DEFAULT_MODELS = [
  "gpt-4o-mini",
  "gpt-4o",
  "text-embedding-3-small",
  "claude-sonnet-4-5",
  "claude-haiku-4-5",
  "gemini-2.5-flash",
];

const DEFAULT_WAIT_MS = 5000;

/** Resolve when `ready()` returns a value; reject after `timeoutMs` with `describe()`. */
function waitUntil<T>(
  waiters: Set<() => void>,
  ready: () => T | undefined,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const value = ready();
      if (value === undefined) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve(value);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`fake provider: ${describe()} after ${timeoutMs} ms`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

export async function startFakeProvider(opts: FakeProviderOptions = {}): Promise<FakeProvider> {
  const waiters = new Set<() => void>();
  const ctx: FakeContext = {
    queue: new ScriptQueue(),
    requests: [],
    aborted: [],
    expectedKeys: { ...opts.expectedKeys },
    models: opts.models ?? DEFAULT_MODELS,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxRecorded: opts.maxRecorded ?? 10_000,
    now: opts.now ?? Date.now,
    seq: 0,
    closing: false,
    holds: {},
    notify: () => {
      for (const check of [...waiters]) check();
    },
  };
  const reset = (): void => {
    ctx.queue.clear();
    ctx.requests.length = 0;
    ctx.aborted.length = 0;
    ctx.seq = 0;
  };
  const controlDeps = {
    queue: ctx.queue,
    requests: ctx.requests,
    aborted: ctx.aborted,
    reset,
    maxBodyBytes: ctx.maxBodyBytes,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    if (opts.control === true && url.pathname.startsWith("/_fake/")) {
      return handleControl(controlDeps, req, res, url.pathname);
    }
    return handleProvider(ctx, req, res, url);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Body read aborted or a bug in the fake: never leave the client hanging.
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      const body = JSON.stringify({ error: { message: `fake provider: ${message}`, type: "server_error" } });
      res.writeHead(500, { "content-type": "application/json" }).end(body);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requests: ctx.requests,
    aborted: ctx.aborted,
    script: (target, ...answers) => ctx.queue.push(target, answers),
    setDefault: (target, answer) => ctx.queue.setDefault(target, answer),
    pending: (target) => ctx.queue.pending(target),
    setExpectedKeys: (keys) => {
      ctx.expectedKeys = { ...keys };
    },
    reset,
    hold: (point) => {
      let release = (): void => {};
      ctx.holds[point] = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        delete ctx.holds[point];
        release();
      };
    },
    waitForRequests: (count, timeoutMs = DEFAULT_WAIT_MS) =>
      waitUntil<RecordedRequest[]>(
        waiters,
        () => (ctx.requests.length >= count ? ctx.requests : undefined),
        timeoutMs,
        () => `expected ${count} requests, got ${ctx.requests.length}`,
      ),
    waitForAborts: (count, timeoutMs = DEFAULT_WAIT_MS) =>
      waitUntil<AbortEvent[]>(
        waiters,
        () => (ctx.aborted.length >= count ? ctx.aborted : undefined),
        timeoutMs,
        () => `expected ${count} client aborts, got ${ctx.aborted.length}`,
      ),
    close: () =>
      new Promise<void>((resolve, reject) => {
        ctx.closing = true;
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
