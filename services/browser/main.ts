import { createLogger } from "../common/log.js";
import { sidecarConfig } from "./flags.js";
import { startBrowserServer } from "./server.js";

/**
 * The browser sidecar of one browsing agent (docs/decisions/browser.md), on that agent's own network.
 * It holds no secret: the agent connects over WebSocket and opens a context with its proxy credentials.
 */
const log = createLogger({ service: "browser" }, process.env);

startBrowserServer(sidecarConfig(process.env), log)
  .then((browser) => {
    const stop = () => void browser.close().finally(() => process.exit(0));
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  })
  .catch((error: unknown) => {
    log.fatal({ err: error instanceof Error ? error.message : String(error) }, "browser sidecar failed");
    process.exit(1);
  });
