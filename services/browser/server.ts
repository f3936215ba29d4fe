import type { Logger } from "pino";
import { type BrowserServer, chromium } from "playwright-core";
import { chromiumArgs, type SidecarConfig } from "./flags.js";

export interface RunningBrowser {
  /** ws://host:port/path of the Playwright server (the same across relaunches). */
  wsEndpoint(): string;
  /** Chromium's pid now (tests kill it to prove the relaunch). */
  pid(): number | undefined;
  close(): Promise<void>;
}

const launch = (config: SidecarConfig, port: number): Promise<BrowserServer> =>
  chromium.launchServer({
    executablePath: config.executablePath,
    headless: true,
    host: config.host,
    port,
    wsPath: config.wsPath,
    args: chromiumArgs(new URL(config.proxyUrl).hostname),
    // For a context that names no proxy of its own (the agent always names one): still the proxy.
    proxy: { server: config.proxyUrl },
  });

/**
 * Chromium behind Playwright's browser server. When Chromium exits (crash, OOM kill) it is launched
 * again on the same port and path, so the agent's next call reconnects to a fresh browser.
 */
export async function startBrowserServer(config: SidecarConfig, log: Logger): Promise<RunningBrowser> {
  let server = await launch(config, config.port);
  const port = Number(new URL(server.wsEndpoint()).port);
  let closed = false;
  const watch = (s: BrowserServer) => {
    log.info({ port, pid: s.process().pid }, "chromium ready");
    s.process().once("exit", (code) => {
      if (closed) return;
      log.warn({ code }, "chromium exited; launching it again");
      void (async () => {
        await s.close().catch(() => {});
        for (let attempt = 0; !closed; attempt++) {
          try {
            server = await launch(config, port);
            watch(server);
            return;
          } catch (error) {
            log.error({ err: error instanceof Error ? error.message : String(error) }, "relaunch failed");
            await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
          }
        }
      })();
    });
  };
  watch(server);
  return {
    wsEndpoint: () => server.wsEndpoint(),
    pid: () => server.process().pid,
    async close() {
      closed = true;
      await server.close().catch(() => {});
    },
  };
}
