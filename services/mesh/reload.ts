import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { watchConfigFile } from "../common/config-watch.js";
import type { MeshConfig } from "../common/contracts/mesh-config.js";

/**
 * The mesh behind one listening socket whose app can be replaced live. A reload (config.json changed:
 * an agent added or removed, permissions edited) builds a new app on the same store, makes it ready,
 * and routes every new request to it; the old app's background work (delivery, schedules, channels)
 * stops at once, and the old app closes when its last request or stream ends. Open connections, SSE
 * feeds and chat streams in flight are untouched: the listening server never restarts.
 */
export class LiveMesh {
  readonly server: Server;
  #current: FastifyInstance;
  readonly #inFlight = new Map<FastifyInstance, number>();
  readonly #retiring = new Set<FastifyInstance>();
  readonly #build: (config: MeshConfig) => Promise<FastifyInstance>;
  readonly #log: FastifyBaseLogger;

  constructor(first: FastifyInstance, build: (config: MeshConfig) => Promise<FastifyInstance>) {
    this.#current = first;
    this.#build = build;
    this.#log = first.log;
    this.server = createServer((req, res) => this.#handle(req, res));
  }

  get app(): FastifyInstance {
    return this.#current;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const app = this.#current;
    this.#inFlight.set(app, (this.#inFlight.get(app) ?? 0) + 1);
    res.once("close", () => {
      const left = (this.#inFlight.get(app) ?? 1) - 1;
      this.#inFlight.set(app, left);
      if (left === 0 && this.#retiring.has(app)) void this.#closeOld(app);
    });
    app.routing(req, res);
  }

  /** Builds and switches to an app for `config`; throws (keeping the running app) when it cannot be built. */
  async reload(config: MeshConfig): Promise<void> {
    const next = await this.#build(config);
    try {
      await next.ready();
    } catch (error) {
      await next.close().catch(() => undefined);
      throw error;
    }
    const old = this.#current;
    this.#current = next;
    this.#retiring.add(old);
    await old.mesh.stopBackground();
    if ((this.#inFlight.get(old) ?? 0) === 0) await this.#closeOld(old);
    this.#log.info({ agents: Object.keys(config.agents).length }, "config reloaded");
  }

  async #closeOld(app: FastifyInstance): Promise<void> {
    if (!this.#retiring.delete(app)) return;
    this.#inFlight.delete(app);
    await app
      .close()
      .catch((error: unknown) => this.#log.error({ err: error }, "closing the old app failed"));
  }

  /** Stops listening; resolves once every request and stream has ended and every app is closed. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const old of [...this.#retiring]) await this.#closeOld(old);
    await this.#current.close();
  }

  /** Reads `path` now and switches to it (POST /v1/admin/reload); returns the agent count. */
  async reloadFrom(path: string, parse: (text: string) => MeshConfig): Promise<number> {
    const config = parse(readFileSync(path, "utf8"));
    await this.reload(config);
    return Object.keys(config.agents).length;
  }

  /** Reloads each time `path` changes (see common/config-watch.ts); returns the stop function. */
  watch(path: string, initialText: string, parse: (text: string) => MeshConfig): () => void {
    return watchConfigFile(
      path,
      initialText,
      (text) => this.reload(parse(text)),
      (error) =>
        this.#log.error({ err: error }, "config.json changed but is not valid; keeping the running config"),
    );
  }
}
