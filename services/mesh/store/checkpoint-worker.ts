/**
 * Worker thread that checkpoints the mesh's WAL on its own connection (store/checkpointer.ts), so the
 * checkpoint's page copies and fsyncs never block the event loop that serves requests. PASSIVE never
 * waits for readers or the writer; a busy database just waits for the next tick. Self-contained (no
 * project imports) so it runs from dist/ as JavaScript and from the tree with Node's type stripping.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path, { fileMustExist: true });
db.pragma("busy_timeout = 0");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch (error) {
    if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
  }
}, intervalMs);
parentPort?.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
