import type { Server } from "node:http";

export interface DrainResult {
  /** True when the deadline passed and the connections still open were cut. */
  forced: boolean;
}

/**
 * Graceful stop of an HTTP server (issue 23 item 2). `close` stops accepting and resolves once every
 * in-flight request and stream has ended (fastify's `app.close()`, or `server.close()`); idle
 * keep-alive sockets are closed at once and again as requests finish, and whatever is still open at
 * `deadlineMs` is cut so the process exits before Compose's stop_grace_period SIGKILLs it.
 */
export async function drain(
  server: Server,
  close: () => Promise<void>,
  deadlineMs: number,
): Promise<DrainResult> {
  let forced = false;
  const closing = close();
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    forced = true;
    server.closeAllConnections();
  }, deadlineMs);
  try {
    await closing;
  } finally {
    clearInterval(idle);
    clearTimeout(deadline);
  }
  return { forced };
}
