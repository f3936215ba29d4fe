import { chromium } from "playwright-core";
import { createLogger } from "../common/log.js";
import { chromiumArgs, type SidecarConfig, sidecarConfig } from "./flags.js";

/**
 * The browser sidecar: Debian's Chromium behind Playwright's browser server, one per browsing agent, on
 * that agent's own network. It holds no secret; the agent connects over WebSocket and opens a context
 * whose proxy credentials it supplies. When Chromium dies the server is launched again on the same
 * endpoint, so the agent's next tool call reconnects to a fresh browser.
 */
const log = createLogger({ service: "browser" }, process.env);

async function serve(config: SidecarConfig): Promise<void> {
  const proxyHost = new URL(config.proxyUrl).hostname;
  for (let attempt = 0; ; attempt++) {
    const server = await chromium.launchServer({
      executablePath: config.executablePath,
      headless: true,
      host: config.host,
      port: config.port,
      wsPath: config.wsPath,
      args: chromiumArgs(proxyHost),
      // Default for any context that does not name its own (the agent always does): still the proxy.
      proxy: { server: config.proxyUrl },
    });
    log.info({ port: config.port, pid: server.process().pid, attempt }, "chromium ready");
    const code = await new Promise<number | null>((resolve) => server.process().once("exit", resolve));
    log.warn({ code }, "chromium exited; launching it again");
    await server.close().catch(() => {});
    await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** Math.min(attempt, 5))));
  }
}

serve(sidecarConfig(process.env)).catch((error: unknown) => {
  log.fatal({ err: error instanceof Error ? error.message : String(error) }, "browser sidecar failed");
  process.exit(1);
});
