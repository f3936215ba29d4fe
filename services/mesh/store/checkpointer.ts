import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/**
 * Moves WAL checkpoints off the event loop (docs/decisions/mesh.md "Checkpoints in a worker thread").
 * SQLite's automatic checkpoint runs inside whichever commit crosses 1000 WAL pages, and with
 * synchronous=NORMAL that checkpoint is where the fsyncs happen: one request in ~200 then stalls every
 * other request for the length of an fsync. Here the main connection never checkpoints; a worker thread
 * does, every `intervalMs`, on its own connection. If the worker dies, the main connection goes back to
 * automatic checkpoints, so the WAL never grows without bound.
 */
export class Checkpointer {
  readonly #worker: Worker;
  #stopped = false;

  constructor(db: Database.Database, intervalMs = 250) {
    const js = new URL("./checkpoint-worker.js", import.meta.url);
    const file = existsSync(js) ? js : new URL("./checkpoint-worker.ts", import.meta.url);
    db.pragma("wal_autocheckpoint = 0");
    this.#worker = new Worker(file, { workerData: { path: db.name, intervalMs } });
    this.#worker.unref();
    const fallBack = () => {
      if (!this.#stopped && db.open) db.pragma("wal_autocheckpoint = 1000");
    };
    this.#worker.on("error", fallBack);
    this.#worker.on("exit", fallBack);
  }

  /** Asks the worker to close its connection and exit (it is unref'd: nothing waits for it). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#worker.postMessage("stop");
  }
}
