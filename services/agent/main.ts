import { join } from "node:path";
import { onSnapshotSignal } from "../common/backup/snapshot.js";
import { isOlError } from "../common/errors.js";
import { createAgent } from "./build.js";
import { loadAgentConfig } from "./config/load.js";
import { exposeGc, HeapTrim } from "./runtime/heap-trim.js";

/**
 * Entry point (the only file that reads process.*). See config/load.ts for the environment. On
 * SIGTERM/SIGINT: stop taking work, let the current step finish for up to 10 s (its messages are
 * saved) within the drain deadline below the stop_grace_period (common/ports.ts), then exit 0.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadAgentConfig(env);
  const agent = await createAgent(config);
  // Between runs, hand the heap's empty pages back to the OS (runtime/heap-trim.ts).
  const gc = exposeGc();
  const queue = agent.runtime.queue;
  const trim = gc ? new HeapTrim({ gc, isIdle: () => !queue.busy && queue.length === 0 }) : undefined;
  if (trim) queue.onIdle = () => trim.schedule();
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    trim?.close();
    agent.app.log.info({ signal }, "shutting down");
    agent
      .close()
      .catch((error: unknown) => agent.app.log.error({ err: error }, "close failed"))
      .finally(() => process.exit(0));
  };
  const db = (file: string) => ({ file, path: join(agent.dataRoot, file) });
  onSnapshotSignal(agent.dataRoot, () => [db("agent.db"), db("memory.db")], agent.app.log);
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  const address = await agent.app.listen({ host: config.host, port: config.port });
  agent.app.log.info({ address, model: config.manifest.model }, "agent listening");
  trim?.schedule();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${isOlError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
    process.exitCode = 2;
  });
}
